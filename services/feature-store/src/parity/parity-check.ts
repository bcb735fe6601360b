import { DomainError } from '@kuroshio/service-kit';
import type { FeatureRef } from '../views/feature-view.js';
import type { FeatureValue } from '../views/feature-value.js';
import type { ResolvedFeature } from '../views/feature-view-registry.js';
import type { OnlineFeatureReader } from './online-feature-reader.js';

export interface ParityRequest {
  readonly features: readonly ResolvedFeature[];
  /** Empty: a random sample of `sampleSize` active entities. */
  readonly entityIds: readonly string[];
  readonly sampleSize: number;
  /** Largest absolute difference between numbers still counted as equal. */
  readonly tolerance: number;
}

export interface ParityMismatch {
  readonly entityId: string;
  readonly feature: FeatureRef;
  readonly online: FeatureValue;
  readonly offline: FeatureValue;
}

export interface ParityReport {
  readonly asOfMs: number;
  readonly entitiesChecked: number;
  readonly valuesCompared: number;
  readonly mismatches: readonly ParityMismatch[];
}

/** The offline side: the same features computed in ClickHouse for the same entities and instant. */
export interface OfflineFeatureReader {
  read(features: readonly ResolvedFeature[], entityIds: readonly string[], asOfMs: number): Promise<FeatureValue[][]>;
  sample(features: readonly ResolvedFeature[], asOfMs: number, size: number): Promise<string[]>;
}

export const MAX_PARITY_ENTITIES = 10_000;

/** Same status and, when present, the same value: numbers within `tolerance`, anything else exactly. */
export function sameFeatureValue(online: FeatureValue, offline: FeatureValue, tolerance: number): boolean {
  if (online.status !== offline.status) return false;
  if (online.status !== 'present') return true;
  if (typeof online.value === 'number' && typeof offline.value === 'number') return Math.abs(online.value - offline.value) <= tolerance;
  return online.value === offline.value;
}

/**
 * Train/serve skew: computes the features offline (ClickHouse, events strictly before `as_of`) and
 * reads them online for the same entities at the same instant, and reports every value that differs.
 */
export async function checkParity(request: ParityRequest, sides: { offline: OfflineFeatureReader; online: OnlineFeatureReader }, asOfMs: number): Promise<ParityReport> {
  if (!Number.isFinite(request.tolerance) || request.tolerance < 0) {
    throw new DomainError('INVALID_ARGUMENT', 'tolerance must be a non-negative number', { reason: 'invalid_tolerance' });
  }
  const requested = [...new Set(request.entityIds)];
  if (requested.some((id) => id === '')) throw new DomainError('INVALID_ARGUMENT', 'entity_ids must not contain empty ids', { reason: 'invalid_entity_id' });
  if (requested.length > MAX_PARITY_ENTITIES || request.sampleSize > MAX_PARITY_ENTITIES) {
    throw new DomainError('INVALID_ARGUMENT', `at most ${MAX_PARITY_ENTITIES} entities per check`, { reason: 'too_many_entities' });
  }
  const entityIds = requested.length > 0 ? requested : await sides.offline.sample(request.features, asOfMs, request.sampleSize);
  const refs = request.features.map(({ ref }) => ref);
  const [offline, online] = await Promise.all([sides.offline.read(request.features, entityIds, asOfMs), sides.online.read(refs, entityIds, asOfMs)]);
  if (online.length !== entityIds.length || online.some((row) => row.length !== refs.length)) {
    throw new DomainError('INTERNAL', `the online reader returned ${online.length} rows for ${entityIds.length} entities`, { reason: 'online_reader_shape' });
  }
  const mismatches: ParityMismatch[] = [];
  entityIds.forEach((entityId, row) => {
    refs.forEach((feature, column) => {
      const onlineValue = online[row]?.[column] as FeatureValue;
      const offlineValue = offline[row]?.[column] as FeatureValue;
      if (!sameFeatureValue(onlineValue, offlineValue, request.tolerance)) mismatches.push({ entityId, feature, online: onlineValue, offline: offlineValue });
    });
  });
  return { asOfMs, entitiesChecked: entityIds.length, valuesCompared: entityIds.length * refs.length, mismatches };
}
