import type { FeatureRef } from '../views/feature-view.js';
import type { FeatureValue } from '../views/feature-value.js';

/**
 * What the parity check needs from the online path: the values it serves for `entityIds` x `refs`
 * (view versions pinned, never 0) as of `asOfMs` — windows end at, and TTLs are measured from, that
 * instant, exactly as offline (see FeatureDefinition). Rows come back in entity order, values in ref
 * order: `result[entity][ref]`.
 */
export interface OnlineFeatureReader {
  read(refs: readonly FeatureRef[], entityIds: readonly string[], asOfMs: number): Promise<FeatureValue[][]>;
}

/** Nest injection token of the OnlineFeatureReader the online module provides. */
export const ONLINE_FEATURE_READER = Symbol.for('kuroshio.feature-store.online-feature-reader');
