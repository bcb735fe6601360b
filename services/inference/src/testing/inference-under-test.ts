import { createServer } from 'node:net';
import type { ServerCredentials } from '@grpc/grpc-js';
import { composeConfig, loadConfig, serviceConfig } from '@kuroshio/config';
import { grpcServiceOptions } from '@kuroshio/contracts';
import { startService, type RunningService } from '@kuroshio/service-kit';
import { createLogger } from '@kuroshio/telemetry';
import { inferenceConfigParts, type InferenceConfig } from '../config.js';
import { InferenceModule } from '../inference.module.js';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Inference started in-process as main.ts starts it, on an ephemeral HTTP port and a free gRPC port. */
export async function startInference(env: Record<string, string>, credentials?: ServerCredentials): Promise<RunningService<InferenceConfig>> {
  const grpcPort = await freePort();
  const schema = composeConfig({ service: serviceConfig({ name: 'inference', httpPort: 0, grpcPort }), ...inferenceConfigParts });
  const config = loadConfig(schema, { ...process.env, HTTP_PORT: '0', SHUTDOWN_TIMEOUT_MS: '10000', ...env }) as unknown as InferenceConfig;
  const { port: _port, ...grpc } = grpcServiceOptions('inference', grpcPort);
  return startService({
    config,
    module: (loaded) => InferenceModule.forRoot(loaded),
    logger: createLogger({ service: 'inference', level: (env['LOG_LEVEL'] as 'silent' | undefined) ?? 'silent' }),
    grpc: credentials === undefined ? grpc : { ...grpc, credentials },
    readinessTimeoutMs: 2_000,
  });
}
