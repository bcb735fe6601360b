import type { SimulatedCustomer } from './customers.js';
import { SeededRandom, sigmoid } from './random.js';
import { CHARGE_EVENT, PAYMENT_EVENT, type TelecomEvent } from './telecom-event.js';

const DAY_MS = 86_400_000;
const MERCHANTS = ['Google Play', 'App Store', 'LINE Pay 代收', 'Netflix', 'KKBOX', '遊戲橘子', 'Uber Eats', 'Garena'];

/** A charge on the phone bill and what became of it: the ground truth behind the bad-debt label. */
export interface SimulatedCharge {
  readonly chargeId: string;
  readonly userId: string;
  readonly chargedAt: number;
  readonly dueDate: string;
  readonly amount: number;
  /** Never paid (within the simulation). */
  readonly unpaid: boolean;
  /** The true probability of non-payment the simulation drew `unpaid` from. */
  readonly unpaidProbability: number;
}

/** Due date: the 20th of the month after the charge (a monthly billing cycle). */
function dueDateOf(chargedAt: number): string {
  const charged = new Date(chargedAt);
  return new Date(Date.UTC(charged.getUTCFullYear(), charged.getUTCMonth() + 1, 20)).toISOString().slice(0, 10);
}

/**
 * Charges arrive as a Poisson process; whether one is paid depends on the customer's hidden risk and
 * on the amount, so features over past charges and payments carry real (but noisy) signal.
 */
export function simulateBilling(
  random: SeededRandom,
  customer: SimulatedCustomer,
  window: { readonly start: number; readonly end: number },
  newId: () => string,
): { events: TelecomEvent[]; charges: SimulatedCharge[] } {
  const events: TelecomEvent[] = [];
  const charges: SimulatedCharge[] = [];
  const meanGapMs = (30 * DAY_MS) / customer.chargeRate;
  for (let at = window.start + random.exponential(meanGapMs); at < window.end; at += random.exponential(meanGapMs)) {
    const chargedAt = Math.floor(at);
    const amount = Math.max(30, Math.round(customer.typicalAmount * Math.exp(0.4 * random.normal())));
    const unpaidProbability = sigmoid(-2.6 + 2.0 * customer.risk + 0.5 * Math.log(amount / 250));
    const unpaid = random.chance(unpaidProbability);
    const chargeId = `chg-${newId()}`;
    const dueDate = dueDateOf(chargedAt);
    charges.push({ chargeId, userId: customer.userId, chargedAt, dueDate, amount, unpaid, unpaidProbability });
    events.push({
      messageId: newId(),
      type: 'track',
      event: CHARGE_EVENT,
      userId: customer.userId,
      timestamp: new Date(chargedAt).toISOString(),
      context: { channel: 'app' },
      properties: {
        chargeId,
        amount,
        currency: 'TWD',
        merchant: random.pick(MERCHANTS),
        merchantCategory: random.pick(['apps', 'games', 'video', 'music', 'food']),
        dueDate,
        msisdn: customer.mobile,
        billingCycle: dueDate.slice(0, 7),
      },
    });
    if (unpaid) continue;
    // Payers pay around the due date; riskier ones later.
    const due = Date.parse(`${dueDate}T00:00:00Z`);
    const paidAt = Math.floor(due - 10 * DAY_MS + random.exponential((3 + 12 * sigmoid(customer.risk)) * DAY_MS));
    if (paidAt >= window.end || paidAt <= chargedAt) continue;
    events.push({
      messageId: newId(),
      type: 'track',
      event: PAYMENT_EVENT,
      userId: customer.userId,
      timestamp: new Date(paidAt).toISOString(),
      context: { channel: random.chance(0.7) ? 'app' : 'web' },
      properties: {
        paymentId: `pay-${newId()}`,
        chargeIds: [chargeId],
        amount,
        currency: 'TWD',
        paidAt: new Date(paidAt).toISOString(),
        dueDate,
        method: random.pick(['convenience_store', 'bank_transfer', 'card', 'auto_debit']),
        daysPastDue: Math.max(0, Math.ceil((paidAt - due) / DAY_MS)),
      },
    });
  }
  return { events, charges };
}
