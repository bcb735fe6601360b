import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Controller, Get, Injectable, Module, Param, type OnModuleDestroy } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { composeConfig, loadConfig, serviceConfig } from '@kuroshio/config';
import { createLogger } from '@kuroshio/telemetry';
import { DomainError } from '../errors/domain-error.js';
import { ReadinessModule } from '../readiness/readiness.module.js';
import { startService, type RunningService } from '../start-service.js';

export const ECHO_PROTO = fileURLToPath(new URL('./fixtures/echo.proto', import.meta.url));
export const ECHO_PACKAGE = 'kuroshio.testing.v1';

/** A dependency a test flips between reachable and not. */
@Injectable()
export class FakeBroker implements OnModuleDestroy {
  reachable = true;
  delayMs = 0;
  readonly events: string[] = [];

  async ping(): Promise<void> {
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (!this.reachable) throw new Error('connect ECONNREFUSED 127.0.0.1:9092');
  }

  onModuleDestroy(): void {
    this.events.push('broker disconnected');
  }
}

/** Lets a test hold an HTTP request in flight until it says so. */
@Injectable()
export class InFlightGate {
  release: () => void = () => undefined;
  readonly opened = new Promise<void>((resolve) => {
    this.release = resolve;
  });
}

@Module({ providers: [FakeBroker, InFlightGate], exports: [FakeBroker, InFlightGate] })
class FakeDependenciesModule {}

@Controller()
class EchoController {
  constructor(
    private readonly gate: InFlightGate,
    private readonly broker: FakeBroker,
  ) {}

  @GrpcMethod('EchoService', 'Echo')
  echo(request: { text: string }): { text: string } {
    if (request.text === 'missing') throw new DomainError('NOT_FOUND', 'nothing to echo', { reason: 'echo_not_found' });
    return { text: request.text };
  }

  @Get('things/:id')
  thing(@Param('id') id: string): { id: string } {
    if (id === 'locked') throw new DomainError('FAILED_PRECONDITION', 'thing is locked', { reason: 'thing_locked', details: { id } });
    if (id === 'busy') throw new DomainError('UNAVAILABLE', 'thing is busy', { reason: 'busy', details: { retryAfterSeconds: 7 } });
    throw new DomainError('NOT_FOUND', `no thing ${id}`);
  }

  @Get('slow')
  async slow(): Promise<{ done: true }> {
    await this.gate.opened;
    this.broker.events.push('request finished');
    return { done: true };
  }
}

@Module({
  imports: [
    FakeDependenciesModule,
    ReadinessModule.forFeature({
      imports: [FakeDependenciesModule],
      checks: [
        { inject: [FakeBroker], useFactory: (broker: FakeBroker) => ({ name: 'kafka', check: () => broker.ping() }) },
        { name: 'clickhouse', check: async () => undefined },
      ],
    }),
  ],
  controllers: [EchoController],
})
export class TestServiceModule {}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export async function startTestService(options: { grpc?: boolean; env?: Record<string, string>; readinessTimeoutMs?: number } = {}): Promise<
  RunningService<{ service: ReturnType<typeof loadServiceSettings> }> & { broker: FakeBroker; gate: InFlightGate }
> {
  const grpcPort = options.grpc === true ? await freePort() : undefined;
  const config = { service: loadServiceSettings(grpcPort, options.env ?? {}) };
  const service = await startService({
    config,
    module: () => TestServiceModule,
    logger: createLogger({ service: 'test-service', level: 'silent' }),
    ...(options.grpc === true ? { grpc: { package: ECHO_PACKAGE, protoPath: ECHO_PROTO } } : {}),
    readinessTimeoutMs: options.readinessTimeoutMs ?? 1_000,
    grpcHealthIntervalMs: 100,
  });
  return Object.assign(service, { broker: service.app.get(FakeBroker), gate: service.app.get(InFlightGate) });
}

function loadServiceSettings(grpcPort: number | undefined, env: Record<string, string>) {
  const schema = composeConfig({ service: serviceConfig({ name: 'test-service', httpPort: 0, ...(grpcPort === undefined ? {} : { grpcPort }) }) });
  return loadConfig(schema, env).service;
}
