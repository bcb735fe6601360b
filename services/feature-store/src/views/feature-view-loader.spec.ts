import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FeatureViewLoadError, loadFeatureViews, parseFeatureViews } from './feature-view-loader.js';
import { FeatureViewRegistry } from './feature-view-registry.js';

const REPO_VIEWS = fileURLToPath(new URL('../../feature-views/', import.meta.url));

const GOOD = `
name: billing
version: 1
entity: customer
description: Charges.
owner: risk
created: 2026-10-01
source:
  events: [Carrier Billing Charge]
  filters:
    - { path: currency, operator: equals, values: [TWD] }
ttl: 90d
features:
  - { name: charge_count_7d, description: Charges, aggregation: count, window: 7d }
  - { name: last_merchant_30d, description: Merchant, aggregation: last_value, property: merchant, type: string, window: 30d }
`;

function problemsOf(text: string, file = 'views.yaml'): string[] {
  try {
    parseFeatureViews([{ file, text }]);
  } catch (error) {
    if (error instanceof FeatureViewLoadError) return [...error.problems];
    throw error;
  }
  throw new Error('expected the views to be rejected');
}

describe('feature-view YAML', () => {
  it('loads the repository views: charges in two versions, payments, channel activity and the LINE text view', async () => {
    const registry = new FeatureViewRegistry(await loadFeatureViews(REPO_VIEWS));
    const names = registry.list({ allVersions: true, pageSize: 100 }).views.map((view) => `${view.name}@${view.version}`);
    expect(names).toEqual(
      expect.arrayContaining(['carrier_billing_charges@1', 'carrier_billing_charges@2', 'carrier_billing_payments@1', 'app_sessions@1', 'web_page_views@1', 'app_screen_views@1', 'line_messages@1', 'line_message_text@1']),
    );
    const text = registry.get('line_message_text').features.find((feature) => feature.name === 'last_text_30d');
    expect(text).toMatchObject({ aggregation: 'last_value', property: 'text', valueType: 'string', windowMs: 30 * 86_400_000 });
    expect(registry.get('carrier_billing_charges').version).toBe(2);
    expect(registry.get('carrier_billing_charges', 2).features.map((feature) => feature.name)).toContain('distinct_merchants_30d');
  });

  it('turns a document into the domain model: durations in ms, derived value types, filters, creation date', () => {
    const [view] = parseFeatureViews([{ file: 'a.yaml', text: GOOD }]);
    expect(view).toEqual({
      name: 'billing',
      version: 1,
      entity: 'customer',
      description: 'Charges.',
      owner: 'risk',
      sourceEvents: ['Carrier Billing Charge'],
      filters: [{ path: 'currency', operator: 'equals', values: ['TWD'] }],
      ttlMs: 90 * 86_400_000,
      createdAt: '2026-10-01T00:00:00.000Z',
      features: [
        { name: 'charge_count_7d', description: 'Charges', aggregation: 'count', windowMs: 7 * 86_400_000, valueType: 'int64' },
        { name: 'last_merchant_30d', description: 'Merchant', aggregation: 'last_value', property: 'merchant', windowMs: 30 * 86_400_000, valueType: 'string' },
      ],
    });
  });

  it('lists every problem of a document at once, with its path', () => {
    const problems = problemsOf(`
name: Billing-View
version: 0
entity: account
owner: risk
source:
  events: []
  filters:
    - { path: "a..b", operator: between, values: [1] }
    - { path: amount, operator: greater_than, values: [true] }
    - { path: amount, operator: exists, values: [1] }
ttl: forever
windw: 30d
features:
  - { name: sum_30d, description: S, aggregation: sum, window: 30d }
  - { name: last, description: L, aggregation: last_value, property: x, window: 1d }
  - { name: n, description: N, aggregation: count, window: 1y, type: string }
  - { name: n, description: N, aggregation: median, window: 1d }
`);
    const expected = [
      'name: expected lower_snake_case',
      'version: Too small',
      'entity: Invalid input: expected "customer"',
      'description: missing',
      'source.events: expected at least one event',
      'source.filters[0].path: expected a dotted property path',
      'source.filters[0].operator: Invalid option',
      'source.filters[1].values: greater_than needs exactly one number or string',
      'source.filters[2].values: exists takes no values',
      'ttl: expected a duration',
      '(document): unknown key windw',
      'features[0].property: sum needs a property',
      'features[1].type: last_value needs type double or string',
      'features[2].window: expected a duration',
      'features[3].aggregation: Invalid option',
    ];
    for (const fragment of expected) expect(problems.some((problem) => problem.includes(fragment)), `${fragment}\n${problems.join('\n')}`).toBe(true);
    expect(problems.every((problem) => problem.startsWith('views.yaml: '))).toBe(true);
  });

  it('reports YAML syntax errors, duplicate versions and an entity that changes between versions, across files', () => {
    const other = GOOD.replace('version: 1', 'version: 2');
    const error = (() => {
      try {
        parseFeatureViews([
          { file: 'a.yaml', text: GOOD },
          { file: 'b.yaml', text: `${GOOD}\n---\n${other.replace('entity: customer', 'entity: customer')}` },
          { file: 'c.yaml', text: 'name: [unclosed' },
        ]);
      } catch (caught) {
        return caught as FeatureViewLoadError;
      }
      throw new Error('expected a FeatureViewLoadError');
    })();
    expect(error).toBeInstanceOf(FeatureViewLoadError);
    expect(error.problems).toHaveLength(2);
    expect(error.problems[0]).toMatch(/^c\.yaml: /);
    expect(error.problems[1]).toBe('b.yaml (document 1): billing version 1 is also declared in a.yaml');
    expect(error.message).toMatch(/^invalid feature views \(2 problems\):/);
  });

  it('rejects duplicate feature names and duplicate keys', () => {
    const duplicateFeature = GOOD.replace('last_merchant_30d', 'charge_count_7d');
    expect(problemsOf(duplicateFeature)).toEqual(['views.yaml: features[1].name: duplicate feature charge_count_7d']);
    expect(problemsOf(`${GOOD}\nowner: someone`)[0]).toMatch(/Map keys must be unique/);
  });

  it('rejects a window longer than the view TTL, naming the view and the feature', () => {
    // Events older than the TTL make a value EXPIRED, so such a window could never be filled.
    const longWindow = GOOD.replace('window: 30d', 'window: 365d');
    expect(problemsOf(longWindow)).toEqual([
      'views.yaml: features[1].window: billing version 1, feature last_merchant_30d: window 365d is longer than the view ttl 90d (older events are EXPIRED); shorten the window or raise the ttl',
    ]);
    expect(() => parseFeatureViews([{ file: 'views.yaml', text: GOOD.replace('window: 30d', 'window: 90d') }])).not.toThrow();
  });

  it('fails on a missing or empty directory', async () => {
    await expect(loadFeatureViews('/nonexistent/feature-views')).rejects.toThrow(/cannot read the feature-view directory/);
  });
});
