import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { grpcJs } from '@kuroshio/contracts';
import { callUnary } from './grpc-unary.js';
import type { PlatformEndpoints } from './platform-endpoints.js';
import type { Progress } from './progress.js';

export interface ServingRequest {
  readonly modelName: string;
  /** The alias asked for; an experiment's variant overrides it with its pinned version. */
  readonly alias: string;
  /** Route every customer by this experiment (empty: no experiment). */
  readonly experimentKey: string;
  readonly customerIds: readonly string[];
  /** Customers per PredictBatch call (default 100). */
  readonly batchSize?: number;
}

/** One customer's score as inference answered it. */
export interface ServedScore {
  readonly customerId: string;
  /** The id inference logged the prediction (and exposure) under: `<batch request id>#<index>`. */
  readonly requestId: string;
  readonly modelVersion: number;
  /** Empty when no experiment applied. */
  readonly variant: string;
  readonly score: number;
  readonly missingFeatures: number;
}

export interface VariantServing {
  readonly variant: string;
  readonly customers: number;
  readonly modelVersions: readonly number[];
  readonly meanScore: number;
}

export interface ServingReport {
  readonly modelName: string;
  readonly experimentKey: string;
  readonly scores: readonly ServedScore[];
  readonly byVariant: readonly VariantServing[];
  /** Customers the experiment did not route (not running, out of traffic): served by the alias, no exposure. */
  readonly unrouted: number;
}

// A version the experiment pins may still be loading on first use (UNAVAILABLE), and a full queue
// sheds load (RESOURCE_EXHAUSTED): both mean "come back", as a real caller would.
const RETRIED = new Set<number>([status.UNAVAILABLE, status.RESOURCE_EXHAUSTED]);
const RETRY_FOR_MS = 60_000;

/**
 * Asks inference for every customer's score with `PredictBatch`, as a collections system would
 * before deciding whom to remind. With an experiment key inference assigns each customer with the
 * platform's one assignment function, serves the variant's pinned version and logs the exposure.
 */
export async function serveScores(endpoints: PlatformEndpoints, request: ServingRequest, progress: Progress): Promise<ServingReport> {
  const v1 = grpcJs.inference.v1;
  const client = new v1.InferenceServiceClient(endpoints.inferenceGrpc, credentials.createInsecure());
  const batchSize = request.batchSize ?? 100;
  const scores: ServedScore[] = [];
  const task = progress.task(`score customers through inference${request.experimentKey ? ` (experiment ${request.experimentKey})` : ''}`, request.customerIds.length);
  try {
    for (let start = 0; start < request.customerIds.length; start += batchSize) {
      const customers = request.customerIds.slice(start, start + batchSize);
      const batchId = `${request.experimentKey || request.modelName}-${start / batchSize}`;
      const response = await withRetries(() =>
        callUnary(
          client.predictBatch.bind(client),
          v1.PredictBatchRequest.fromPartial({
            model: { modelName: request.modelName, alias: request.alias },
            instances: customers.map((entityId) => ({ entityId })),
            requestId: batchId,
            experimentKey: request.experimentKey,
          }),
        ),
      );
      response.predictions.forEach((prediction, i) => {
        scores.push({
          customerId: customers[i] as string,
          requestId: `${response.requestId}#${i}`,
          modelVersion: prediction.modelVersion,
          variant: prediction.variant,
          score: prediction.scores[0] ?? Number.NaN,
          missingFeatures: prediction.missingFeatures.length,
        });
      });
      task.update(scores.length);
    }
  } finally {
    client.close();
  }
  const byVariant = summarise(scores);
  const imputed = scores.filter((s) => s.missingFeatures > 0).length;
  const served = byVariant.map((v) => `${v.variant || '(no experiment)'} ${v.customers} on v${v.modelVersions.join('/v')}, mean score ${v.meanScore.toPrecision(3)}`).join('; ');
  task.done(`${served}${imputed > 0 ? `; ${imputed} with some features missing online (imputed)` : ''}`);
  return { modelName: request.modelName, experimentKey: request.experimentKey, scores, byVariant, unrouted: scores.filter((s) => s.variant === '').length };
}

async function withRetries<T>(call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + RETRY_FOR_MS;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      const code = (error as Partial<ServiceError>).code;
      if (code === undefined || !RETRIED.has(code) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

function summarise(scores: readonly ServedScore[]): VariantServing[] {
  const groups = new Map<string, ServedScore[]>();
  for (const score of scores) {
    const members = groups.get(score.variant) ?? [];
    members.push(score);
    groups.set(score.variant, members);
  }
  return [...groups]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([variant, members]) => ({
      variant,
      customers: members.length,
      modelVersions: [...new Set(members.map((m) => m.modelVersion))].sort((a, b) => a - b),
      meanScore: members.reduce((sum, m) => sum + m.score, 0) / members.length,
    }));
}
