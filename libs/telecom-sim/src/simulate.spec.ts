import { validateInboundEvent } from '@kuroshio/contracts';
import { describe, expect, it } from 'vitest';
import { CHARGE_EVENT, PAYMENT_EVENT, simulateTelecom } from './index.js';

const options = { seed: 7, customers: 300, start: new Date('2026-05-01T00:00:00Z'), end: new Date('2026-10-01T00:00:00Z') };

// Independent check of the Taiwanese national ID checksum (letter code split, weights 1,9,8..1,1).
const LETTERS = 'ABCDEFGHJKLMNPQRSTUVXYWZIO';
function validNationalId(id: string): boolean {
  const code = LETTERS.indexOf(id[0] as string) + 10;
  const digits = [Math.floor(code / 10), code % 10, ...id.slice(1).split('').map(Number)];
  const weights = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1];
  return digits.reduce((sum, digit, index) => sum + digit * (weights[index] as number), 0) % 10 === 0;
}

describe('simulateTelecom', () => {
  const simulation = simulateTelecom(options);

  it('is deterministic for a seed and different for another', () => {
    const again = simulateTelecom(options);
    expect(again.events).toEqual(simulation.events);
    const other = simulateTelecom({ ...options, seed: 8 });
    expect(other.events[0]?.messageId).not.toEqual(simulation.events[0]?.messageId);
  });

  it('keeps existing customers unchanged when more are simulated', () => {
    const more = simulateTelecom({ ...options, customers: 400 });
    const firstCustomer = (events: typeof simulation.events) => events.filter((event) => event.userId === 'cust-000003');
    expect(firstCustomer(more.events)).toEqual(firstCustomer(simulation.events));
  });

  it('emits events in time order, inside the window, with unique message ids, accepted by the envelope validator', () => {
    const times = simulation.events.map((event) => Date.parse(event.timestamp));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(options.start.getTime());
    expect(Math.max(...times)).toBeLessThan(options.end.getTime());
    expect(new Set(simulation.events.map((event) => event.messageId)).size).toBe(simulation.events.length);
    const rejected = simulation.events.map((event) => validateInboundEvent(event)).filter((result) => !result.ok);
    expect(rejected).toEqual([]);
  });

  it('gives every customer valid personal data, which shows up in identify traits and LINE texts', () => {
    for (const customer of simulation.customers) {
      expect(validNationalId(customer.nationalId), customer.nationalId).toBe(true);
      expect(customer.mobile).toMatch(/^09\d{8}$/);
    }
    const identifies = simulation.events.filter((event) => event.type === 'identify');
    expect(identifies).toHaveLength(options.customers);
    expect(simulation.events.some((event) => typeof event.properties?.['text'] === 'string' && /09\d{8}/.test(event.properties['text'] as string))).toBe(true);
  });

  it('pays some charges and leaves others unpaid, with payments pointing at their charges', () => {
    const charges = simulation.events.filter((event) => event.event === CHARGE_EVENT);
    const payments = simulation.events.filter((event) => event.event === PAYMENT_EVENT);
    expect(charges.length).toBe(simulation.charges.length);
    const unpaidShare = simulation.charges.filter((charge) => charge.unpaid).length / simulation.charges.length;
    expect(unpaidShare).toBeGreaterThan(0.05);
    expect(unpaidShare).toBeLessThan(0.4);
    const chargeIds = new Set(simulation.charges.map((charge) => charge.chargeId));
    for (const payment of payments) expect(chargeIds.has((payment.properties?.['chargeIds'] as string[])[0] as string)).toBe(true);
    const unpaidIds = new Set(simulation.charges.filter((charge) => charge.unpaid).map((charge) => charge.chargeId));
    expect(payments.some((payment) => unpaidIds.has((payment.properties?.['chargeIds'] as string[])[0] as string))).toBe(false);
  });

  it('ties non-payment to the hidden risk strongly enough to learn (AUC of the true probability > 0.7)', () => {
    const scored = simulation.charges.map((charge) => ({ score: charge.unpaidProbability, positive: charge.unpaid }));
    const positives = scored.filter((row) => row.positive);
    const negatives = scored.filter((row) => !row.positive);
    let wins = 0;
    for (const p of positives) for (const n of negatives) wins += p.score > n.score ? 1 : p.score === n.score ? 0.5 : 0;
    expect(wins / (positives.length * negatives.length)).toBeGreaterThan(0.7);
  });

  it('refuses an empty window', () => {
    expect(() => simulateTelecom({ ...options, end: options.start })).toThrow(/end must be after/);
  });
});
