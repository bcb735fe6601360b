import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { HealthController } from './http/health.controller.js';
import { MetricsController } from './http/metrics.controller.js';
import { ReadinessModule } from './readiness/readiness.module.js';
import type { Logger } from '@kuroshio/telemetry';
import { SERVICE_CONFIG, SERVICE_LOGGER, SERVICE_NAME } from './tokens.js';

export interface ServiceKitOptions {
  readonly name: string;
  readonly config: unknown;
  /** The service's one logger; adapters (Kafka, ClickHouse, S3 modules) inject it as SERVICE_LOGGER. */
  readonly logger: Logger;
  readonly readinessTimeoutMs?: number;
  /** Runs after every other shutdown hook (flushes traces). */
  readonly onShutdown?: () => Promise<void>;
}

const AFTER_SHUTDOWN = 'kuroshio:after-shutdown';

@Injectable()
class TelemetryShutdown implements OnApplicationShutdown {
  constructor(@Inject(AFTER_SHUTDOWN) private readonly afterShutdown: () => Promise<void>) {}

  async onApplicationShutdown(): Promise<void> {
    await this.afterShutdown();
  }
}

/** What every service gets: config and name providers, readiness, `/healthz`, `/readyz`, `/metrics`. */
@Module({})
export class ServiceKitModule {
  static forRoot(options: ServiceKitOptions): DynamicModule {
    return {
      module: ServiceKitModule,
      global: true,
      imports: [ReadinessModule.forRoot(options.readinessTimeoutMs === undefined ? {} : { timeoutMs: options.readinessTimeoutMs })],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: SERVICE_NAME, useValue: options.name },
        { provide: SERVICE_CONFIG, useValue: options.config },
        { provide: SERVICE_LOGGER, useValue: options.logger },
        { provide: AFTER_SHUTDOWN, useValue: options.onShutdown ?? (async () => undefined) },
        TelemetryShutdown,
      ],
      exports: [SERVICE_NAME, SERVICE_CONFIG, SERVICE_LOGGER],
    };
  }
}
