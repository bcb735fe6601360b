import { describe, expect, it } from 'vitest';
import { chargesView, pagesView } from '../testing/test-views.js';
import type { FeatureView } from './feature-view.js';
import { FeatureViewRegistry } from './feature-view-registry.js';

const v2: FeatureView = { ...chargesView, version: 2, features: chargesView.features.slice(0, 2) };
const account: FeatureView = { ...pagesView, name: 'account_pages', entity: 'account' };
const registry = new FeatureViewRegistry([v2, pagesView, chargesView, account], new Date('2026-11-01T00:00:00Z'));

describe('FeatureViewRegistry', () => {
  it('lists the current version of each view by name, or every version, filtered by entity', () => {
    expect(registry.list().views.map((view) => `${view.name}@${view.version}`)).toEqual(['account_pages@1', 'test_charges@2', 'test_pages@1']);
    expect(registry.list({ allVersions: true, entity: 'customer' }).views.map((view) => `${view.name}@${view.version}`)).toEqual(['test_charges@1', 'test_charges@2', 'test_pages@1']);
  });

  it('pages with an opaque token and rejects tokens it did not issue', () => {
    const first = registry.list({ allVersions: true, pageSize: 3 });
    expect(first.views).toHaveLength(3);
    const second = registry.list({ allVersions: true, pageSize: 3, pageToken: first.nextPageToken });
    expect(second.views.map((view) => view.name)).toEqual(['test_pages']);
    expect(second.nextPageToken).toBe('');
    expect(() => registry.list({ pageToken: 'bm9wZQ' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('gets a version, 0 meaning the latest, and says NOT_FOUND otherwise', () => {
    expect(registry.get('test_charges').version).toBe(2);
    expect(registry.get('test_charges', 1)).toBe(chargesView);
    expect(() => registry.get('test_charges', 3)).toThrow(expect.objectContaining({ code: 'NOT_FOUND', reason: 'feature_view_version_not_found' }));
    expect(() => registry.get('nothing')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('resolves refs to pinned versions and rejects unknown features, duplicates and mixed entities', () => {
    const resolved = registry.resolve([{ featureView: 'test_charges', feature: 'count_7d', version: 0 }, { featureView: 'test_pages', feature: 'paths_3d', version: 1 }]);
    expect(resolved.map(({ ref }) => ref)).toEqual([
      { featureView: 'test_charges', feature: 'count_7d', version: 2 },
      { featureView: 'test_pages', feature: 'paths_3d', version: 1 },
    ]);
    expect(() => registry.resolve([{ featureView: 'test_charges', feature: 'amount_sum_7d', version: 0 }])).toThrow(expect.objectContaining({ code: 'NOT_FOUND', reason: 'feature_not_found' }));
    expect(() => registry.resolve([])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() =>
      registry.resolve([{ featureView: 'test_charges', feature: 'count_7d', version: 1 }, { featureView: 'test_charges', feature: 'count_7d', version: 2 }]),
    ).toThrow(expect.objectContaining({ reason: 'duplicate_feature' }));
    expect(() =>
      registry.resolve([{ featureView: 'test_pages', feature: 'paths_3d', version: 0 }, { featureView: 'account_pages', feature: 'paths_3d', version: 0 }]),
    ).toThrow(expect.objectContaining({ reason: 'mixed_entities' }));
  });
});
