import { assignVariant } from '@kuroshio/assignment';
import type { ModelTarget } from './model-selector.js';

/** What inference needs to know of an experiment to route by it. */
export interface ExperimentRouting {
  readonly key: string;
  readonly salt: string;
  /** Revision of the definition (recorded with each exposure). */
  readonly revision: number;
  readonly state: 'draft' | 'running' | 'stopped';
  readonly variants: ReadonlyArray<{ readonly name: string; readonly weight: number; readonly model: { readonly modelName: string; readonly version: number } | null }>;
  /** Share of units in the experiment, [0, 1]. */
  readonly trafficFraction: number;
  /** The experiment targets by traits, which a prediction request does not carry. */
  readonly targetsByTraits: boolean;
}

/** Where experiments are looked up (the experiment service, or a fake in tests). */
export interface ExperimentDirectory {
  get(key: string): Promise<ExperimentRouting | undefined>;
}

/** The variant a unit got and what serves it. */
export interface RoutedVariant {
  readonly experimentKey: string;
  readonly variant: string;
  readonly revision: number;
  /** The variant's pinned model version; the request's own model when the variant names none. */
  readonly target: ModelTarget;
}

export type RoutingOutcome =
  | { readonly applied: true; readonly routed: RoutedVariant }
  | { readonly applied: false; readonly reason: 'not_running' | 'no_unit' | 'out_of_traffic' | 'targeted_by_traits' };

/**
 * Routes one unit by an experiment with the platform's one assignment function (libs/assignment):
 * only a running experiment applies; a unit outside the traffic fraction, a request without an
 * entity (nothing to assign), and experiments that target by traits (which a prediction request
 * does not carry, so eligibility cannot be decided here) leave the request's own model in place and
 * record no exposure.
 */
export function routeUnit(experiment: ExperimentRouting, unitId: string | null, requested: ModelTarget): RoutingOutcome {
  if (experiment.state !== 'running') return { applied: false, reason: 'not_running' };
  if (experiment.targetsByTraits) return { applied: false, reason: 'targeted_by_traits' };
  if (unitId === null) return { applied: false, reason: 'no_unit' };
  const variant = assignVariant(
    { key: experiment.key, salt: experiment.salt, variants: experiment.variants.map((v) => ({ name: v.name, weight: v.weight })), trafficAllocation: experiment.trafficFraction },
    unitId,
  );
  if (variant === null) return { applied: false, reason: 'out_of_traffic' };
  const model = experiment.variants.find((v) => v.name === variant)?.model ?? null;
  return {
    applied: true,
    routed: { experimentKey: experiment.key, variant, revision: experiment.revision, target: model === null ? requested : { modelName: model.modelName, version: model.version } },
  };
}
