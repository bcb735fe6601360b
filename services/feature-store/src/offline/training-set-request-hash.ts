import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { TrainingSetRequest } from './training-set-export.js';

/**
 * SHA-256 (hex) of what an export is asked for — features (as resolved, with their versions), label
 * source (explicit rows one by one, so a million of them are never one string) and time range as
 * given — so that a request id reused for a different export is told apart from a retry.
 */
export function requestHashOf(request: Pick<TrainingSetRequest, 'features' | 'labels' | 'timeRange'>): string {
  const { labels } = request;
  const described = {
    hash: 'kuroshio.training-set-request.v1',
    features: request.features.map(({ ref }) => ({ featureView: ref.featureView, feature: ref.feature, version: ref.version })),
    labels: labels.kind === 'rows' ? { kind: 'rows', rowCount: labels.rows.length } : labels.kind === 'rows_uri' ? { kind: 'rows_uri', uri: labels.uri } : labels,
    timeRange: request.timeRange === undefined ? null : { startMs: request.timeRange.startMs ?? null, endMs: request.timeRange.endMs ?? null },
  };
  const text = canonicalize(described);
  if (text === undefined) throw new Error('training-set request cannot be canonicalised');
  const hash = createHash('sha256').update(text);
  if (labels.kind === 'rows') for (const row of labels.rows) hash.update(`\n${JSON.stringify([row.entityId, row.labelTimeMs, row.label])}`);
  return hash.digest('hex');
}
