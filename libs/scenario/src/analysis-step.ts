import { credentials } from '@grpc/grpc-js';
import { grpcJs } from '@kuroshio/contracts';
import { callUnary } from './grpc-unary.js';
import type { PlatformEndpoints } from './platform-endpoints.js';

type ExperimentResults = grpcJs.experiment.v1.ExperimentResults;
type MetricResult = grpcJs.experiment.v1.MetricResult;
type VariantComparison = grpcJs.experiment.v1.VariantComparison;

/** The experiment service's analysis (`GetResults`: ClickHouse aggregates, `@kuroshio/stats` tests), as of now. */
export async function fetchResults(endpoints: PlatformEndpoints, experimentKey: string): Promise<ExperimentResults> {
  const v1 = grpcJs.experiment.v1;
  const client = new v1.ExperimentServiceClient(endpoints.experimentGrpc, credentials.createInsecure());
  try {
    const { results } = await callUnary(client.getResults.bind(client), v1.GetResultsRequest.fromPartial({ experimentKey }), { timeoutMs: 60_000 });
    if (results === undefined) throw new Error(`the experiment service returned no results for ${experimentKey}`);
    return results;
  } finally {
    client.close();
  }
}

/** Where an analyst finds an experiment: the dashboard, the JSON results API and the ClickHouse view. */
export function experimentLinks(endpoints: PlatformEndpoints, experimentKey: string) {
  return {
    dashboard: `${endpoints.experimentHttp}/dashboard#${encodeURIComponent(experimentKey)}`,
    resultsApi: `${endpoints.experimentHttp}/api/experiments/${encodeURIComponent(experimentKey)}/results`,
    clickhouseView: `experiment_${experimentKey.replace(/-/g, '_')}`,
  };
}

const lower = (value: string, prefix: string) => value.replace(prefix, '').toLowerCase();
const signed = (value: number, digits: number) => `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;
const pValue = (p: number) => (p < 0.0001 ? p.toExponential(1) : p.toFixed(4));

/** The analysis as lines for a terminal: the split and its SRM check, then each metric's variants and comparisons. */
export function summariseResults(results: ExperimentResults): string[] {
  const lines: string[] = [];
  const correction = lower(results.correction, 'MULTIPLE_TESTING_CORRECTION_').replace('_', '-');
  lines.push(`Experiment ${results.experimentKey}: control ${results.controlVariant}, α ${results.alpha}, ${correction} correction across ${results.metrics.length} metric(s)`);
  const srm = results.sampleRatio;
  if (srm !== undefined) {
    const split = srm.allocations.map((a) => `${a.variant} ${a.units} (${(100 * a.observedFraction).toFixed(1)} % of ${(100 * a.expectedFraction).toFixed(0)} %)`).join(', ');
    const verdict = srm.mismatch
      ? `SAMPLE RATIO MISMATCH (χ² ${srm.chiSquare.toFixed(2)}, p ${pValue(srm.pValue)} < ${srm.threshold}): assignment or exposure logging is broken; do not trust the lifts`
      : `χ² ${srm.chiSquare.toFixed(2)}, p ${pValue(srm.pValue)}: no sample-ratio mismatch`;
    lines.push(`  split     ${split}; ${verdict}`);
  }
  for (const metric of results.metrics) lines.push(...metricLines(metric));
  return lines;
}

function metricLines(metric: MetricResult): string[] {
  const conversion = metric.kind === grpcJs.experiment.v1.MetricKind.METRIC_KIND_CONVERSION;
  const level = (mean: number) => (conversion ? `${(100 * mean).toFixed(1)} %` : mean.toFixed(2));
  const means = metric.variants.map((v) => `${v.variant} ${level(v.mean)} (n ${v.units})`).join('  ');
  const head = `  ${metric.metricKey} (${lower(metric.role, 'METRIC_ROLE_')}, ${lower(metric.kind, 'METRIC_KIND_')})`;
  return [`${head.padEnd(42)} ${means}`, ...metric.comparisons.map((comparison) => `      ${comparisonLine(comparison, conversion)}`)];
}

function comparisonLine(c: VariantComparison, conversion: boolean): string {
  const absolute = conversion
    ? `${signed(100 * c.absoluteLift, 1)} pp${c.absoluteLiftCi ? ` [${signed(100 * c.absoluteLiftCi.lower, 1)}, ${signed(100 * c.absoluteLiftCi.upper, 1)}]` : ''}`
    : `${signed(c.absoluteLift, 2)}${c.absoluteLiftCi ? ` [${signed(c.absoluteLiftCi.lower, 2)}, ${signed(c.absoluteLiftCi.upper, 2)}]` : ''}`;
  const relative = Number.isFinite(c.relativeLift)
    ? `${signed(100 * c.relativeLift, 1)} %${c.relativeLiftCi ? ` [${signed(100 * c.relativeLiftCi.lower, 1)}, ${signed(100 * c.relativeLiftCi.upper, 1)}]` : ''}`
    : 'relative n/a';
  const cuped = c.cupedApplied ? `, CUPED −${(100 * c.varianceReduction).toFixed(1)} % variance` : '';
  const verdict = lower(c.outcome, 'COMPARISON_OUTCOME_').toUpperCase();
  return `${c.variant} vs ${c.controlVariant}: ${absolute}, ${relative}${cuped}; p ${pValue(c.pValue)} (adjusted ${pValue(c.adjustedPValue)}) → ${verdict}`;
}
