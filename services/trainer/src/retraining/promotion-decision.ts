import type { PromotionRule } from './retraining-policy.js';

/** The challenger-against-champion verdict on one metric, after the multiple-testing correction. */
export interface MetricVerdict {
  readonly key: string;
  /** In the metric's improvement direction; improved / degraded only when significant. */
  readonly outcome: 'improved' | 'degraded' | 'inconclusive';
  readonly adjustedPValue: number;
  readonly absoluteLift: number;
  /** null when the champion's mean is 0. */
  readonly relativeLift: number | null;
}

/** What the decision reads of the experiment service's results. */
export interface ExperimentAnalysis {
  readonly units: { readonly champion: number; readonly challenger: number };
  /** null when there were no units to check. */
  readonly sampleRatio: { readonly mismatch: boolean; readonly pValue: number } | null;
  /**
   * Units whose exposures contradict the split: first exposed under a variant the experiment does
   * not have (not in `units`), or exposed under more than one variant (counted in `units` under
   * their first).
   */
  readonly anomalousUnits: { readonly unknownVariant: number; readonly multipleVariants: number };
  readonly metrics: readonly MetricVerdict[];
}

/**
 * The share of units with contradicting exposures above which the results are not trusted: 1 %, the
 * threshold at which GrowthBook warns of multiple exposures. Assignment is deterministic, so any
 * such unit means exposures were recorded outside it (a client-side override, a changed salt, a
 * routing bug); a few can be late duplicates, more mean the arms are mixed.
 */
export const MAX_ANOMALOUS_UNIT_SHARE = 0.01;

export type PromotionAction = 'wait' | 'promote' | 'retire';

export interface PromotionDecision {
  readonly action: PromotionAction;
  /** Why, one sentence each; what the logs record. */
  readonly reasons: readonly string[];
}

/**
 * Fixed-horizon rule: the analysis decides once both arms have the planned units and the minimum
 * running time has passed (p-values read earlier and acted on would inflate false promotions).
 * Then the challenger is promoted only if the primary metric improved significantly — corrected
 * p-value below alpha, lift in the metric's good direction — and no guardrail got significantly
 * worse. A sample-ratio mismatch, or more than MAX_ANOMALOUS_UNIT_SHARE of the units exposed under
 * an unknown variant or under both, retires it at any time: the split is broken, so no result can
 * be trusted. Not enough units by the maximum duration retires it too.
 */
export function decidePromotion(analysis: ExperimentAnalysis, rule: PromotionRule, runningForMs: number): PromotionDecision {
  const { champion, challenger } = analysis.units;
  if (analysis.sampleRatio?.mismatch === true) {
    return retire(`sample-ratio mismatch (p = ${format(analysis.sampleRatio.pValue)}; champion ${champion} units, challenger ${challenger}): the split is broken, the results cannot be trusted`);
  }
  const { unknownVariant, multipleVariants } = analysis.anomalousUnits;
  const allUnits = champion + challenger + unknownVariant;
  if (allUnits > 0 && (unknownVariant + multipleVariants) / allUnits > MAX_ANOMALOUS_UNIT_SHARE) {
    const share = (((unknownVariant + multipleVariants) / allUnits) * 100).toFixed(2);
    return retire(
      `${multipleVariants} units exposed under both variants and ${unknownVariant} under an unknown variant, ${share} % of ${allUnits} (more than ${MAX_ANOMALOUS_UNIT_SHARE * 100} %): the arms are mixed, the results cannot be trusted`,
    );
  }
  const sampleReached = Math.min(champion, challenger) >= rule.minUnitsPerVariant;
  const timeReached = runningForMs >= rule.minDurationMs;
  if (!sampleReached || !timeReached) {
    const progress = `champion ${champion} and challenger ${challenger} units of ${rule.minUnitsPerVariant} planned per arm, running ${hours(runningForMs)} h of at least ${hours(rule.minDurationMs)} h`;
    if (runningForMs >= rule.maxDurationMs) return retire(`the planned sample was not reached within ${hours(rule.maxDurationMs)} h: ${progress}`);
    return { action: 'wait', reasons: [`not yet conclusive: ${progress}`] };
  }

  const reasons: string[] = [];
  const harmed = rule.guardrailMetrics
    .map((key) => analysis.metrics.find((m) => m.key === key))
    .filter((m): m is MetricVerdict => m !== undefined && m.outcome === 'degraded');
  for (const guardrail of harmed) reasons.push(`guardrail ${guardrail.key} got significantly worse (${lift(guardrail)}, adjusted p = ${format(guardrail.adjustedPValue)})`);

  const primary = analysis.metrics.find((m) => m.key === rule.primaryMetric);
  const improved = primary !== undefined && primary.outcome === 'improved' && primary.adjustedPValue < rule.alpha;
  if (primary === undefined) reasons.push(`the analysis has no result for the primary metric ${rule.primaryMetric}`);
  else if (!improved) reasons.push(`primary metric ${primary.key} did not improve significantly (${lift(primary)}, adjusted p = ${format(primary.adjustedPValue)}, alpha ${rule.alpha})`);
  if (!improved || harmed.length > 0) return { action: 'retire', reasons };

  return {
    action: 'promote',
    reasons: [
      `primary metric ${primary.key} improved significantly (${lift(primary)}, adjusted p = ${format(primary.adjustedPValue)} < ${rule.alpha})`,
      rule.guardrailMetrics.length === 0 ? 'no guardrail metrics defined' : `no guardrail got significantly worse (${rule.guardrailMetrics.join(', ')})`,
      `no sample-ratio mismatch; champion ${champion} and challenger ${challenger} units`,
      `units exposed under an unknown variant or both: ${analysis.anomalousUnits.unknownVariant + analysis.anomalousUnits.multipleVariants} of ${allUnits}`,
    ],
  };
}

function retire(reason: string): PromotionDecision {
  return { action: 'retire', reasons: [reason] };
}

function lift(metric: MetricVerdict): string {
  if (metric.relativeLift === null) return `absolute lift ${format(metric.absoluteLift)}`;
  const percent = metric.relativeLift * 100;
  return `relative lift ${percent >= 0 ? '+' : ''}${percent.toFixed(2)} %`;
}

function format(value: number): string {
  return value === 0 ? '0' : Math.abs(value) < 1e-3 ? value.toExponential(2) : String(Math.round(value * 10_000) / 10_000);
}

function hours(ms: number): string {
  return String(Math.round((ms / 3_600_000) * 10) / 10);
}
