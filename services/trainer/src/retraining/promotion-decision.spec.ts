import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decidePromotion, type ExperimentAnalysis, type MetricVerdict } from './promotion-decision.js';
import type { PromotionRule } from './retraining-policy.js';

const HOUR = 3_600_000;
const rule: PromotionRule = {
  primaryMetric: 'paid_30d',
  guardrailMetrics: ['support_calls', 'churned'],
  alpha: 0.05,
  correction: 'MULTIPLE_TESTING_CORRECTION_HOLM' as PromotionRule['correction'],
  minUnitsPerVariant: 1_000,
  minDurationMs: 24 * HOUR,
  maxDurationMs: 240 * HOUR,
};

const verdict = (key: string, outcome: MetricVerdict['outcome'], adjustedPValue = outcome === 'inconclusive' ? 0.3 : 0.01): MetricVerdict => ({
  key,
  outcome,
  adjustedPValue,
  absoluteLift: 0.02,
  relativeLift: 0.1,
});

function analysis(primary: MetricVerdict['outcome'], guardrails: MetricVerdict['outcome'][] = ['inconclusive', 'inconclusive'], extra: Partial<ExperimentAnalysis> = {}): ExperimentAnalysis {
  return {
    units: { champion: 2_000, challenger: 2_000 },
    sampleRatio: { mismatch: false, pValue: 0.5 },
    anomalousUnits: { unknownVariant: 0, multipleVariants: 0 },
    metrics: [verdict('paid_30d', primary), verdict('support_calls', guardrails[0]!), verdict('churned', guardrails[1]!), verdict('revenue', 'degraded')],
    ...extra,
  };
}

describe('promotion decision', () => {
  it('promotes on a significant primary improvement with no guardrail harm and no SRM, saying so', () => {
    const decision = decidePromotion(analysis('improved'), rule, 48 * HOUR);
    expect(decision.action).toBe('promote');
    expect(decision.reasons).toEqual([
      'primary metric paid_30d improved significantly (relative lift +10.00 %, adjusted p = 0.01 < 0.05)',
      'no guardrail got significantly worse (support_calls, churned)',
      'no sample-ratio mismatch; champion 2000 and challenger 2000 units',
      'units exposed under an unknown variant or both: 0 of 4000',
    ]);
  });

  it('retires when more than 1 % of the units were exposed under both variants or an unknown one, at any time', () => {
    const mixed = (multipleVariants: number, unknownVariant: number) => analysis('improved', undefined, { anomalousUnits: { unknownVariant, multipleVariants } });
    expect(decidePromotion(mixed(40, 0), rule, 48 * HOUR).action).toBe('promote'); // 40 of 4,000: 1 %
    expect(decidePromotion(mixed(35, 10), rule, 48 * HOUR).action).toBe('retire'); // 45 of 4,010
    const decision = decidePromotion(mixed(41, 0), rule, HOUR);
    expect(decision).toEqual({
      action: 'retire',
      reasons: ['41 units exposed under both variants and 0 under an unknown variant, 1.03 % of 4000 (more than 1 %): the arms are mixed, the results cannot be trusted'],
    });
  });

  it('ignores a secondary metric that got worse (revenue is neither primary nor guardrail here)', () => {
    expect(decidePromotion(analysis('improved'), rule, 48 * HOUR).action).toBe('promote');
  });

  it('retires when any guardrail got significantly worse, even with a winning primary', () => {
    const decision = decidePromotion(analysis('improved', ['inconclusive', 'degraded']), rule, 48 * HOUR);
    expect(decision.action).toBe('retire');
    expect(decision.reasons).toEqual(['guardrail churned got significantly worse (relative lift +10.00 %, adjusted p = 0.01)']);
  });

  it('retires when the primary metric is inconclusive or worse, listing every reason', () => {
    expect(decidePromotion(analysis('inconclusive'), rule, 48 * HOUR).reasons).toEqual([
      'primary metric paid_30d did not improve significantly (relative lift +10.00 %, adjusted p = 0.3, alpha 0.05)',
    ]);
    const both = decidePromotion(analysis('degraded', ['degraded', 'inconclusive']), rule, 48 * HOUR);
    expect(both.action).toBe('retire');
    expect(both.reasons).toHaveLength(2);
  });

  it('does not trust an "improved" whose corrected p-value is not below the policy’s alpha', () => {
    const strict = { ...rule, alpha: 0.005 };
    expect(decidePromotion(analysis('improved'), strict, 48 * HOUR).action).toBe('retire');
  });

  it('retires on a sample-ratio mismatch at any time, before the sample is reached', () => {
    const broken = analysis('improved', undefined, { units: { champion: 300, challenger: 200 }, sampleRatio: { mismatch: true, pValue: 1e-6 } });
    const decision = decidePromotion(broken, rule, HOUR);
    expect(decision.action).toBe('retire');
    expect(decision.reasons[0]).toMatch(/^sample-ratio mismatch \(p = 1\.00e-6; champion 300 units, challenger 200\)/);
  });

  it('waits for the planned units and the minimum duration, then retires after the maximum without them', () => {
    const small = analysis('improved', undefined, { units: { champion: 999, challenger: 5_000 } });
    expect(decidePromotion(small, rule, 48 * HOUR)).toMatchObject({ action: 'wait' });
    expect(decidePromotion(analysis('improved'), rule, 23 * HOUR)).toMatchObject({ action: 'wait' });
    const late = decidePromotion(small, rule, 240 * HOUR);
    expect(late.action).toBe('retire');
    expect(late.reasons[0]).toMatch(/planned sample was not reached within 240 h/);
  });

  it('retires when the analysis has no result for the primary metric', () => {
    const none = { ...analysis('improved'), metrics: [] };
    expect(decidePromotion(none, rule, 48 * HOUR).reasons).toEqual(['the analysis has no result for the primary metric paid_30d']);
  });

  it('reports an absolute lift when the relative one is undefined (champion mean 0)', () => {
    const zero = analysis('inconclusive');
    const metrics = zero.metrics.map((m) => (m.key === 'paid_30d' ? { ...m, relativeLift: null, absoluteLift: 0.004 } : m));
    expect(decidePromotion({ ...zero, metrics }, rule, 48 * HOUR).reasons[0]).toContain('absolute lift 0.004');
  });
});

describe('promotion decision properties', () => {
  const outcome = fc.constantFrom<MetricVerdict['outcome']>('improved', 'degraded', 'inconclusive');
  const arbitraryAnalysis = fc.record({
    primary: outcome,
    primaryP: fc.double({ min: 0, max: 1, noNaN: true }),
    guardrails: fc.array(outcome, { minLength: 2, maxLength: 2 }),
    champion: fc.nat(5_000),
    challenger: fc.nat(5_000),
    mismatch: fc.boolean(),
    mixed: fc.nat(150),
    runningForMs: fc.nat(400 * HOUR),
  });

  it('promotes only with an improved primary below alpha, no degraded guardrail, no SRM, the sample and the minimum duration', () => {
    fc.assert(
      fc.property(arbitraryAnalysis, (a) => {
        const input: ExperimentAnalysis = {
          units: { champion: a.champion, challenger: a.challenger },
          sampleRatio: { mismatch: a.mismatch, pValue: a.mismatch ? 1e-5 : 0.5 },
          anomalousUnits: { unknownVariant: 0, multipleVariants: a.mixed },
          metrics: [verdict('paid_30d', a.primary, a.primaryP), verdict('support_calls', a.guardrails[0]!), verdict('churned', a.guardrails[1]!)],
        };
        const decision = decidePromotion(input, rule, a.runningForMs);
        const broken = a.mismatch || a.mixed > 0.01 * (a.champion + a.challenger);
        const eligible = !broken && Math.min(a.champion, a.challenger) >= 1_000 && a.runningForMs >= rule.minDurationMs;
        const wins = a.primary === 'improved' && a.primaryP < rule.alpha && !a.guardrails.includes('degraded');
        expect(decision.action === 'promote').toBe(eligible && wins);
        // Waiting only happens before the horizon, never with a broken split or past the maximum.
        if (decision.action === 'wait') expect(!broken && a.runningForMs < rule.maxDurationMs && !eligible).toBe(true);
        expect(decision.reasons.length).toBeGreaterThan(0);
      }),
    );
  });

  it('a worse guardrail can only turn a promotion into a retirement, never the reverse', () => {
    fc.assert(
      fc.property(arbitraryAnalysis, fc.nat(1), (a, which) => {
        const make = (guardrails: MetricVerdict['outcome'][]): ExperimentAnalysis => ({
          units: { champion: a.champion, challenger: a.challenger },
          sampleRatio: { mismatch: a.mismatch, pValue: 0.5 },
          anomalousUnits: { unknownVariant: 0, multipleVariants: a.mixed },
          metrics: [verdict('paid_30d', a.primary, a.primaryP), verdict('support_calls', guardrails[0]!), verdict('churned', guardrails[1]!)],
        });
        const harmed = [...a.guardrails];
        harmed[which] = 'degraded';
        const before = decidePromotion(make(a.guardrails), rule, a.runningForMs).action;
        const after = decidePromotion(make(harmed), rule, a.runningForMs).action;
        expect(after === 'promote').toBe(false);
        if (before !== 'promote') expect(after).toBe(before === 'wait' ? 'wait' : 'retire');
      }),
    );
  });
});
