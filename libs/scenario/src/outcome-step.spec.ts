import { validateInboundEvent } from '@kuroshio/contracts';
import { LINE_MESSAGE_EVENT, PAYMENT_EVENT } from '@kuroshio/telecom-sim';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ingestPathOf } from './ingest-step.js';
import { plantOutcomes, type ExposedCustomer } from './outcome-step.js';

const at = new Date('2026-07-01T09:00:00Z');
const customers = (n: number, variantOf: (i: number) => string): ExposedCustomer[] =>
  Array.from({ length: n }, (_, i) => ({ customerId: `cust-${String(i).padStart(6, '0')}`, variant: variantOf(i) }));
const split = customers(200, (i) => (i % 3 === 0 ? 'challenger' : 'champion'));
const plan = { paymentRate: { champion: 0.25, challenger: 0.45 }, contactRate: 0.15 };
const payersOf = (events: ReturnType<typeof plantOutcomes>['events']) => events.filter((e) => e.event === PAYMENT_EVENT).map((e) => e.userId);

describe('plantOutcomes', () => {
  it('makes exactly round(rate × customers) of each variant pay, and the same share of each write', () => {
    const planted = plantOutcomes(split, plan, { seed: 1, experimentKey: 'bad-debt-v1-vs-v2', at });
    const challengers = split.filter((c) => c.variant === 'challenger').map((c) => c.customerId);
    const champions = split.filter((c) => c.variant === 'champion').map((c) => c.customerId);
    expect(planted.byVariant).toEqual([
      { variant: 'challenger', customers: 67, payments: Math.round(0.45 * 67), contacts: Math.round(0.15 * 67) },
      { variant: 'champion', customers: 133, payments: Math.round(0.25 * 133), contacts: Math.round(0.15 * 133) },
    ]);
    const payers = payersOf(planted.events);
    expect(payers.filter((id) => challengers.includes(id))).toHaveLength(30);
    expect(payers.filter((id) => champions.includes(id))).toHaveLength(33);
    expect(new Set(payers).size).toBe(payers.length);
  });

  it('holds for any rates and splits (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 120 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer(), (a, b, rateA, rateB, seed) => {
        const units = [...customers(a, () => 'a'), ...customers(b, () => 'b').map((c) => ({ ...c, customerId: `${c.customerId}-b` }))];
        const planted = plantOutcomes(units, { paymentRate: { a: rateA, b: rateB }, contactRate: rateA }, { seed, experimentKey: 'aa', at });
        const payers = payersOf(planted.events);
        expect(payers.filter((id) => !id.endsWith('-b'))).toHaveLength(Math.round(rateA * a));
        expect(payers.filter((id) => id.endsWith('-b'))).toHaveLength(Math.round(rateB * b));
      }),
      { numRuns: 200 },
    );
  });

  it('is deterministic for seed and experiment, and draws anew for another experiment', () => {
    const first = plantOutcomes(split, plan, { seed: 1, experimentKey: 'exp-a', at });
    expect(plantOutcomes([...split].reverse(), plan, { seed: 1, experimentKey: 'exp-a', at })).toEqual(first);
    const other = plantOutcomes(split, plan, { seed: 1, experimentKey: 'exp-b', at });
    expect(payersOf(other.events).sort()).not.toEqual(payersOf(first.events).sort());
    const ids = new Set([...first.events, ...other.events].map((e) => e.messageId));
    expect(ids.size).toBe(first.events.length + other.events.length);
  });

  it('sends payments the billing way (gRPC) and contacts by LINE webhook, as valid events at the given instant', () => {
    const amounts = new Map(split.map((c, i) => [c.customerId, 100 + i]));
    const { events } = plantOutcomes(split, plan, { seed: 3, experimentKey: 'exp', at, amountOf: (id) => amounts.get(id) });
    expect(events.map((e) => validateInboundEvent(e)).filter((r) => !r.ok)).toEqual([]);
    for (const event of events) {
      expect(event.timestamp).toBe(at.toISOString());
      if (event.event === PAYMENT_EVENT) {
        expect(ingestPathOf(event)).toBe('grpc');
        expect(event.properties).toMatchObject({ amount: amounts.get(event.userId), currency: 'TWD', paidAt: at.toISOString() });
        expect(event.properties?.['paymentId']).toMatch(/^pay-/);
      } else {
        expect(event.event).toBe(LINE_MESSAGE_EVENT);
        expect(ingestPathOf(event)).toBe('line-webhook');
      }
    }
  });

  it('refuses a variant the plan gives no rate', () => {
    expect(() => plantOutcomes(customers(3, () => 'treatment'), plan, { seed: 1, experimentKey: 'x', at })).toThrow(/no payment rate .* "treatment"/);
  });
});
