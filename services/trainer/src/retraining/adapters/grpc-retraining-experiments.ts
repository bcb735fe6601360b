import { status as GrpcStatus } from '@grpc/grpc-js';
import { dateFromTimestamp, grpcNest } from '@kuroshio/contracts';
import { ContractClient, isServiceError, reasonMetadata } from '../../grpc/contract-client.js';
import { CHALLENGER_VARIANT, CHAMPION_VARIANT } from '../challenger-experiment.js';
import type { ExperimentAnalysis, MetricVerdict } from '../promotion-decision.js';
import type { PromotionRule } from '../retraining-policy.js';
import type { ExperimentFacts, RetrainingExperiments } from '../retraining-ports.js';

type Experiment = grpcNest.experiment.v1.Experiment;
const State = grpcNest.experiment.v1.ExperimentState;
const Outcome = grpcNest.experiment.v1.ComparisonOutcome;
const REASON_LIMIT = 1_024;

/** The experiment service as the retraining run uses it, as actor `retraining` with the reason of every change. */
export class GrpcRetrainingExperiments implements RetrainingExperiments {
  constructor(private readonly client: ContractClient) {}

  async find(key: string): Promise<ExperimentFacts | null> {
    try {
      const reply = await this.client.call<grpcNest.experiment.v1.GetExperimentRequest, grpcNest.experiment.v1.GetExperimentResponse>('GetExperiment', { key });
      return reply.experiment ? facts(reply.experiment) : null;
    } catch (error) {
      if (isServiceError(error) && error.code === GrpcStatus.NOT_FOUND) return null;
      throw error;
    }
  }

  async create(experiment: Experiment, reason: string): Promise<void> {
    await this.client.call<grpcNest.experiment.v1.CreateExperimentRequest, grpcNest.experiment.v1.CreateExperimentResponse>('CreateExperiment', { experiment }, reasonMetadata(reason));
  }

  async start(key: string, reason: string): Promise<ExperimentFacts> {
    const reply = await this.client.call<grpcNest.experiment.v1.StartExperimentRequest, grpcNest.experiment.v1.StartExperimentResponse>('StartExperiment', { key }, reasonMetadata(reason));
    if (!reply.experiment) throw new Error(`the experiment service answered StartExperiment(${key}) without the experiment`);
    return facts(reply.experiment);
  }

  async stop(key: string, reason: string): Promise<void> {
    await this.client.call<grpcNest.experiment.v1.StopExperimentRequest, grpcNest.experiment.v1.StopExperimentResponse>('StopExperiment', { key, reason: reason.slice(0, REASON_LIMIT) });
  }

  async analysis(key: string, rule: Pick<PromotionRule, 'alpha' | 'correction'>): Promise<ExperimentAnalysis> {
    const reply = await this.client.call<grpcNest.experiment.v1.GetResultsRequest, grpcNest.experiment.v1.GetResultsResponse>('GetResults', {
      experimentKey: key,
      asOf: null,
      alpha: rule.alpha,
      correction: rule.correction,
      // Every exposed unit counts, those still inside a metric's window with what they did so far:
      // the promotion rule gates on the planned sample and the minimum duration (ADR 0021).
      inProgressConversions: grpcNest.experiment.v1.InProgressConversions.IN_PROGRESS_CONVERSIONS_INCLUDE,
      disableCuped: false,
      includeCumulative: false,
    });
    const results = reply.results;
    if (!results) throw new Error(`the experiment service answered GetResults(${key}) without results`);
    return analysisOf(results);
  }
}

/** The challenger's comparisons against the champion, and units per arm. */
export function analysisOf(results: grpcNest.experiment.v1.ExperimentResults): ExperimentAnalysis {
  const units = (variant: string) => Number(results.sampleRatio?.allocations.find((a) => a.variant === variant)?.units ?? 0);
  const metrics = results.metrics.map((metric): MetricVerdict => {
    const comparison = metric.comparisons.find((c) => c.variant === CHALLENGER_VARIANT);
    if (!comparison) return { key: metric.metricKey, outcome: 'inconclusive', adjustedPValue: 1, absoluteLift: 0, relativeLift: null };
    const outcome = comparison.outcome === Outcome.COMPARISON_OUTCOME_IMPROVED ? 'improved' : comparison.outcome === Outcome.COMPARISON_OUTCOME_DEGRADED ? 'degraded' : 'inconclusive';
    return {
      key: metric.metricKey,
      outcome,
      adjustedPValue: comparison.adjustedPValue,
      absoluteLift: comparison.absoluteLift,
      relativeLift: comparison.relativeLiftCi ? comparison.relativeLift : null,
    };
  });
  const srm = results.sampleRatio;
  const total = units(CHAMPION_VARIANT) + units(CHALLENGER_VARIANT);
  return {
    units: { champion: units(CHAMPION_VARIANT), challenger: units(CHALLENGER_VARIANT) },
    sampleRatio: srm && total > 0 ? { mismatch: srm.mismatch, pValue: srm.pValue } : null,
    anomalousUnits: { unknownVariant: Number(srm?.unknownVariantUnits ?? 0), multipleVariants: Number(srm?.multipleVariantUnits ?? 0) },
    metrics,
  };
}

function facts(experiment: Experiment): ExperimentFacts {
  const state = experiment.state === State.EXPERIMENT_STATE_RUNNING ? 'running' : experiment.state === State.EXPERIMENT_STATE_STOPPED ? 'stopped' : 'draft';
  const control = experiment.variants.find((v) => v.control);
  return {
    key: experiment.key,
    state,
    startTimeMs: experiment.startTime ? dateFromTimestamp(experiment.startTime).getTime() : null,
    championVersion: control?.model ? control.model.version : null,
  };
}
