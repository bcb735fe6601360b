import { composeConfig, loadConfig, serviceConfig } from '@kuroshio/config';
import { startService, type RunningService } from '@kuroshio/service-kit';
import { createLogger } from '@kuroshio/telemetry';
import { etlConfigParts, type EtlConfig } from '../config.js';
import { EtlModule } from '../etl.module.js';

/** The whole ETL app in-process (HTTP on a free port), configured from `env` over the test's environment. */
export async function startEtl(env: Record<string, string>): Promise<RunningService<EtlConfig>> {
  const schema = composeConfig({ service: serviceConfig({ name: 'etl', httpPort: 0 }), ...etlConfigParts });
  const config = loadConfig(schema, { ...process.env, HTTP_PORT: '0', SHUTDOWN_TIMEOUT_MS: '20000', ...env }) as EtlConfig;
  return startService({ config, module: (parsed) => EtlModule.forRoot(parsed), logger: createLogger({ service: 'etl-int-test', level: 'error' }) });
}
