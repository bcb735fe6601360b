import { composeConfig, loadConfig, serviceConfig } from '@kuroshio/config';
import { grpcServiceOptions } from '@kuroshio/contracts';
import { startService, type RunningService } from '@kuroshio/service-kit';
import { createLogger } from '@kuroshio/telemetry';
import { freePort } from '@kuroshio/testing';
import { trainerConfigParts, type TrainerConfig } from '../config.js';
import { TrainerModule } from '../trainer.module.js';

/** The trainer started in-process as main.ts starts it, on an ephemeral HTTP port and a free gRPC port. */
export async function startTrainer(env: Record<string, string>): Promise<RunningService<TrainerConfig>> {
  const grpcPort = await freePort();
  const schema = composeConfig({ service: serviceConfig({ name: 'trainer', httpPort: 0, grpcPort }), ...trainerConfigParts });
  const config = loadConfig(schema, { ...process.env, ...env }) as unknown as TrainerConfig;
  const { port: _port, ...grpc } = grpcServiceOptions('trainer', grpcPort);
  return startService({
    config,
    module: (loaded) => TrainerModule.forRoot(loaded),
    logger: createLogger({ service: 'trainer', level: (env['LOG_LEVEL'] as 'silent' | undefined) ?? 'silent' }),
    grpc,
    readinessTimeoutMs: 2_000,
  });
}
