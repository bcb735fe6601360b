// The README demo's workload against a running platform (scripts/demo starts it first):
//   node libs/scenario/dist/cli/run-demo.js [--scale small|demo] [--seed N] [--no-experiment]
// Reads CLICKHOUSE_URL / CLICKHOUSE_DATABASE / CLICKHOUSE_USER / CLICKHOUSE_PASSWORD like every service.
import { parseArgs } from 'node:util';
import { clickhouseConfig, loadConfigOrExit } from '@kuroshio/config';
import { LOCAL_PLATFORM } from '../platform-endpoints.js';
import { terminalProgress } from '../progress.js';
import { runScenario, SCALES, type ScenarioReport } from '../run-scenario.js';
import type { TrainedVersion } from '../training-step.js';

const { values } = parseArgs({
  options: { scale: { type: 'string', default: 'demo' }, seed: { type: 'string', default: '2026' }, 'no-experiment': { type: 'boolean', default: false } },
});
const scale = SCALES[values.scale as keyof typeof SCALES];
const seed = Number(values.seed);
if (scale === undefined || !Number.isInteger(seed)) {
  console.error(`usage: run-demo [--scale ${Object.keys(SCALES).join('|')}] [--seed <integer>] [--no-experiment]`);
  process.exit(2);
}

const MODEL = 'bad-debt';
const clickhouse = loadConfigOrExit(clickhouseConfig());
const progress = terminalProgress();
const day = (date: Date) => date.toISOString().slice(0, 10);

function versionLines(role: string, version: TrainedVersion): string {
  const m = version.metrics;
  const fixed = (key: string) => (m[key] === undefined ? 'n/a' : (m[key] as number).toFixed(3));
  return `Bad-debt model ${MODEL} v${version.version} is ${role} (charges ${day(version.window.start)} to ${day(version.window.end)}).
  test ROC AUC ${fixed('roc_auc')}  PR AUC ${fixed('pr_auc')}  log loss ${fixed('log_loss')}  Brier ${fixed('brier')}
  trained on training set ${version.trainingSetExportId} (job ${version.jobId})`;
}

function experimentLines(report: ScenarioReport): string {
  const { experiment } = report;
  if (experiment === undefined) return '';
  const served = experiment.serving.byVariant.map((v) => `${v.variant} v${v.modelVersions.join('/v')}: ${v.customers}`).join(', ');
  const sql = (text: string) => `curl -s http://127.0.0.1:8123/ --data-binary "${text} FORMAT PrettyCompact"`;
  return `

A/B experiment ${experiment.key}: ${experiment.serving.scores.length} customers scored through inference (${served})
${experiment.summary.join('\n')}

Experiment:
  Dashboard   ${experiment.links.dashboard}
  Results     curl -s ${experiment.links.resultsApi}
  Scores      ${sql(`SELECT variant, model_version, count() AS customers, round(avg(score), 3) AS mean_score FROM ${clickhouse.database}.predictions FINAL WHERE experiment_key = '${experiment.key}' GROUP BY variant, model_version`)}
  Exposures   ${sql(`SELECT variant, uniqExact(unit_id) AS units FROM ${clickhouse.database}.exposures WHERE experiment_key = '${experiment.key}' GROUP BY variant`)}
  SQL view    ${clickhouse.database}.${experiment.links.clickhouseView} (one row per exposed customer and metric event)`;
}

try {
  // Customer ids of this run only: a rerun's history, shifted to its own "now", would otherwise add
  // to the same customers' online features and serve them out-of-distribution scores.
  const customerIdPrefix = `cust-${Date.now().toString(36)}`;
  const report = await runScenario({
    endpoints: LOCAL_PLATFORM,
    clickhouse,
    progress,
    scale,
    seed,
    modelName: MODEL,
    customerIdPrefix,
    ...(values['no-experiment'] ? {} : { challengerExperiment: {} }),
  });
  const models = [report.champion, ...(report.challenger ? [report.challenger] : [])].map((v) => `s3://kuroshio-models/models/${MODEL}/${v.jobId}/`).join(', ');
  console.log(`
${versionLines('champion', report.champion)}${report.challenger ? `\n${versionLines('challenger', report.challenger)}` : ''}${experimentLines(report)}

Where to look:
  ClickHouse  curl -s 'http://127.0.0.1:8123/?query=SELECT+event,count()+FROM+${clickhouse.database}.events+FINAL+GROUP+BY+event+FORMAT+PrettyCompact'
              tables: events, dead_letters, data_quality, registry_changes (audit), predictions, exposures, experiment_changes
  Lake        s3://kuroshio-lake/raw/ (gzip NDJSON), clean/ (Parquet), training-sets/${report.champion.trainingSetExportId}/
  Models      ${models} (full, uint8, feature spec, manifest)
  Registry    .tools/bin/grpcurl -plaintext -d '{"modelName":"${MODEL}"}' 127.0.0.1:7105 kuroshio.registry.v1.ModelRegistry/ListAuditEvents`);
} catch (error) {
  console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
