import { composeConfig, loadConfig, serviceConfig } from '@kuroshio/config';
import { grpcServiceOptions } from '@kuroshio/contracts';
import { startService, type RunningService } from '@kuroshio/service-kit';
import { createLogger } from '@kuroshio/telemetry';
import { freePort, waitFor } from '@kuroshio/testing';
import { modelRegistryConfigParts, type ModelRegistryConfig } from '../config.js';
import { ModelRegistryModule } from '../model-registry.module.js';

/** The registry started in-process as main.ts starts it, on an ephemeral HTTP port and a free gRPC port. */
export async function startRegistry(env: Record<string, string>): Promise<RunningService<ModelRegistryConfig>> {
  const grpcPort = await freePort();
  const schema = composeConfig({ service: serviceConfig({ name: 'model-registry', httpPort: 0, grpcPort }), ...modelRegistryConfigParts });
  const config = loadConfig(schema, { ...process.env, HTTP_PORT: '0', SHUTDOWN_TIMEOUT_MS: '10000', ...env }) as unknown as ModelRegistryConfig;
  const { port: _port, ...grpc } = grpcServiceOptions('model-registry', grpcPort);
  return startService({
    config,
    module: (loaded) => ModelRegistryModule.forRoot(loaded),
    logger: createLogger({ service: 'model-registry', level: (env['LOG_LEVEL'] as 'silent' | undefined) ?? 'silent' }),
    grpc,
    readinessTimeoutMs: 2_000,
  });
}

/** Waits until /readyz answers 200 (the state is rebuilt and every dependency answers). */
export async function untilReady(service: RunningService<unknown>, timeoutMs = 30_000): Promise<void> {
  await waitFor(async () => (await fetch(`${service.httpUrl}/readyz`)).status === 200, { timeoutMs, description: 'model-registry ready' });
}
