import { DomainError } from '@kuroshio/service-kit';
import type { FeatureValue } from '../views/feature-value.js';
import type { FeatureRef, FeatureValueType } from '../views/feature-view.js';
import type { OnlineFeature, OnlineState } from './state/online-state.js';

/** Online values for features × entities, with the view versions actually served (0 pinned). */
export interface OnlineReadResult {
  readonly features: readonly FeatureRef[];
  /** Declared value type of each feature (decides the wire type). */
  readonly valueTypes: readonly FeatureValueType[];
  /** One row per entity in request order, one value per feature in request order. */
  readonly rows: FeatureValue[][];
}

export interface ReadLimits {
  readonly maxEntitiesPerRequest: number;
  /** Entities × features. */
  readonly maxValuesPerRequest: number;
}

/**
 * Validates a read and answers it from a state as of `asOfMs` (exact back to the retention slack,
 * FEATURE_STORE_ONLINE_RETENTION_SLACK_MS). Bad requests fail before the readiness check so a caller
 * learns about them at once: INVALID_ARGUMENT for unknown views, versions or features (all listed),
 * mixed entities or too many entities; then UNAVAILABLE while the state has not caught up, and
 * UNAVAILABLE for features whose window reaches before the instant from which the state holds
 * every event (the proto has no per-value status for "incomplete"; a partial answer is not given).
 */
export class OnlineReads {
  constructor(
    private readonly state: () => OnlineState,
    private readonly limits: ReadLimits,
    private readonly ready: () => boolean,
    /** Events from this instant on are all in the state; -Infinity when every event is. */
    private readonly completeFromMs: () => number = () => -Infinity,
  ) {}

  read(refs: readonly FeatureRef[], entityIds: readonly string[], asOfMs: number): OnlineReadResult {
    const { maxEntitiesPerRequest, maxValuesPerRequest } = this.limits;
    if (refs.length === 0) throw new DomainError('INVALID_ARGUMENT', 'no features requested', { reason: 'no_features' });
    if (entityIds.length > maxEntitiesPerRequest || entityIds.length * refs.length > maxValuesPerRequest) {
      throw new DomainError(
        'INVALID_ARGUMENT',
        `at most ${maxEntitiesPerRequest} entities and ${maxValuesPerRequest} values (entities × features) per request; got ${entityIds.length} × ${refs.length}`,
        { reason: 'too_many_entities', details: { maxEntitiesPerRequest, maxValuesPerRequest } },
      );
    }
    if (entityIds.some((id) => id === '')) throw new DomainError('INVALID_ARGUMENT', 'entity ids must not be empty', { reason: 'empty_entity_id' });
    if (!Number.isFinite(asOfMs)) throw new DomainError('INVALID_ARGUMENT', 'the as-of instant must be a finite time', { reason: 'invalid_as_of' });
    const state = this.state();
    const { resolved, unknown } = state.resolve(refs);
    if (unknown.length > 0) {
      throw new DomainError('INVALID_ARGUMENT', `unknown features: ${unknown.join(', ')}`, { reason: 'unknown_features', details: { unknown } });
    }
    const entities = new Set(resolved.map((feature) => feature.view.entity));
    if (entities.size > 1) {
      throw new DomainError('INVALID_ARGUMENT', `the features are about different entities (${[...entities].join(', ')})`, { reason: 'mixed_entities' });
    }
    if (!this.ready()) {
      throw new DomainError('UNAVAILABLE', 'the online state is still replaying events.clean after a start', { reason: 'online_state_catching_up' });
    }
    const completeFromMs = this.completeFromMs();
    if (completeFromMs !== -Infinity) refuseIncomplete(resolved, asOfMs, completeFromMs);
    return {
      features: resolved.map((feature) => feature.ref),
      valueTypes: resolved.map((feature) => feature.plan.definition.valueType),
      rows: state.read(resolved, entityIds, asOfMs),
    };
  }
}

/**
 * UNAVAILABLE listing every feature whose window [asOf - window, asOf) starts before the state is
 * complete: its value would silently miss events. `availableFrom` says when each becomes servable.
 */
function refuseIncomplete(features: readonly OnlineFeature[], asOfMs: number, completeFromMs: number): void {
  const incomplete = features.filter((feature) => asOfMs - feature.plan.windowMs < completeFromMs);
  if (incomplete.length === 0) return;
  const completeFrom = new Date(completeFromMs).toISOString();
  const listed = incomplete.map((feature) => ({
    feature: `${feature.ref.featureView}@${feature.ref.version}.${feature.ref.feature}`,
    availableFrom: new Date(completeFromMs + feature.plan.windowMs).toISOString(),
  }));
  throw new DomainError(
    'UNAVAILABLE',
    `the online state holds every event only from ${completeFrom}; these windows reach earlier: ${listed.map((entry) => `${entry.feature} (from ${entry.availableFrom})`).join(', ')}`,
    { reason: 'online_state_incomplete', details: { completeFrom, features: listed } },
  );
}
