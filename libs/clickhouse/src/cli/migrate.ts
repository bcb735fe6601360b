// Applies infra/clickhouse/migrations to CLICKHOUSE_DATABASE (created if missing).
//   node libs/clickhouse/dist/cli/migrate.js [migrations-directory]
// Reads CLICKHOUSE_URL, CLICKHOUSE_DATABASE, CLICKHOUSE_USER, CLICKHOUSE_PASSWORD.
import { fileURLToPath } from 'node:url';
import { clickhouseConfig, loadConfigOrExit } from '@kuroshio/config';
import { createLogger } from '@kuroshio/telemetry';
import { migrate } from '../migrator.js';

// src/cli and dist/cli sit at the same depth, so this resolves from either.
const defaultDirectory = fileURLToPath(new URL('../../../../infra/clickhouse/migrations', import.meta.url));

const settings = loadConfigOrExit(clickhouseConfig());
const logger = createLogger({ service: 'clickhouse-migrate', level: 'warn' });

try {
  const report = await migrate({ ...settings, logger }, process.argv[2] ?? defaultDirectory);
  for (const file of report.applied) {
    console.log(`applied ${file}`);
  }
  console.log(`database ${report.database}: ${report.applied.length} applied, ${report.alreadyApplied} already applied`);
} catch (error) {
  console.error(`migrate: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
