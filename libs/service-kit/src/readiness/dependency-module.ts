import { Inject, Injectable, type DynamicModule, type OnModuleDestroy, type OnModuleInit, type Type } from '@nestjs/common';
import type { Logger } from '@kuroshio/telemetry';
import { SERVICE_LOGGER } from '../tokens.js';
import type { ReadinessCheck } from './readiness-check.js';
import { ReadinessRegistry } from './readiness-registry.js';

export interface DependencyModuleOptions<T extends ReadinessCheck> {
  /** The adapter's module class (`KafkaModule`), so each adapter stays its own Nest module. */
  readonly module: Type<unknown>;
  /** The client class, also its injection token. */
  readonly client: Type<T>;
  /** Builds the client; it must not connect here, so that a service starts while its dependency is down. */
  readonly create: (logger: Logger) => T;
  /** Drains and disconnects on shutdown. */
  readonly close: (client: T) => Promise<void>;
}

const CLIENT = 'kuroshio:dependency-client';
const CLOSE = 'kuroshio:dependency-close';

@Injectable()
class DependencyLifecycle implements OnModuleInit, OnModuleDestroy {
  constructor(
    @Inject(CLIENT) private readonly client: ReadinessCheck,
    @Inject(CLOSE) private readonly close: (client: ReadinessCheck) => Promise<void>,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.readiness.register(this.client);
  }

  async onModuleDestroy(): Promise<void> {
    await this.close(this.client);
  }
}

/**
 * One shape for every adapter module (Kafka, ClickHouse, S3): a global provider of the client built
 * with the service logger, registered as a readiness check, closed when the application shuts down.
 */
export function dependencyModule<T extends ReadinessCheck>(options: DependencyModuleOptions<T>): DynamicModule {
  return {
    module: options.module,
    global: true,
    providers: [
      { provide: options.client, inject: [SERVICE_LOGGER], useFactory: options.create },
      { provide: CLIENT, useExisting: options.client },
      { provide: CLOSE, useValue: options.close },
      DependencyLifecycle,
    ],
    exports: [options.client],
  };
}
