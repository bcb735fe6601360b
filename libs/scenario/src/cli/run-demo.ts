// The README demo's workload against a running platform (scripts/demo starts it first):
//   node libs/scenario/dist/cli/run-demo.js [--scale small|demo] [--seed N]
// Reads CLICKHOUSE_URL / CLICKHOUSE_DATABASE / CLICKHOUSE_USER / CLICKHOUSE_PASSWORD like every service.
import { parseArgs } from 'node:util';
import { clickhouseConfig, loadConfigOrExit } from '@kuroshio/config';
import { LOCAL_PLATFORM } from '../platform-endpoints.js';
import { terminalProgress } from '../progress.js';
import { runScenario, SCALES } from '../run-scenario.js';

const { values } = parseArgs({ options: { scale: { type: 'string', default: 'demo' }, seed: { type: 'string', default: '2026' } } });
const scale = SCALES[values.scale as keyof typeof SCALES];
const seed = Number(values.seed);
if (scale === undefined || !Number.isInteger(seed)) {
  console.error(`usage: run-demo [--scale ${Object.keys(SCALES).join('|')}] [--seed <integer>]`);
  process.exit(2);
}

const clickhouse = loadConfigOrExit(clickhouseConfig());
const progress = terminalProgress();
try {
  const report = await runScenario({ endpoints: LOCAL_PLATFORM, clickhouse, progress, scale, seed });
  const m = report.champion.metrics;
  const fixed = (key: string) => (m[key] === undefined ? 'n/a' : (m[key] as number).toFixed(3));
  console.log(`
Bad-debt model ${'bad-debt'} v${report.champion.version} is champion.
  test ROC AUC ${fixed('roc_auc')}  PR AUC ${fixed('pr_auc')}  log loss ${fixed('log_loss')}  Brier ${fixed('brier')}
  trained on training set ${report.champion.trainingSetExportId} (job ${report.champion.jobId})

Where to look:
  ClickHouse  curl -s 'http://127.0.0.1:8123/?query=SELECT+event,count()+FROM+${clickhouse.database}.events+FINAL+GROUP+BY+event+FORMAT+PrettyCompact'
              tables: events, dead_letters, data_quality, registry_changes (audit), predictions, exposures
  Lake        s3://kuroshio-lake/raw/ (gzip NDJSON), clean/ (Parquet), training-sets/${report.champion.trainingSetExportId}/
  Models      s3://kuroshio-models/models/bad-debt/${report.champion.jobId}/ (full, uint8, feature spec, manifest)
  Registry    .tools/bin/grpcurl -plaintext -d '{"modelName":"bad-debt"}' 127.0.0.1:7105 kuroshio.registry.v1.ModelRegistry/ListAuditEvents`);
} catch (error) {
  console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
