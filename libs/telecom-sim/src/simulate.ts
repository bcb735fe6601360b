import { simulateActivity } from './activity.js';
import { simulateBilling, type SimulatedCharge } from './billing.js';
import { simulateCustomer, type SimulatedCustomer } from './customers.js';
import { SeededRandom } from './random.js';
import type { TelecomEvent } from './telecom-event.js';

export interface SimulationOptions {
  readonly seed: number;
  readonly customers: number;
  /** First simulated instant (inclusive). */
  readonly start: Date;
  /** Last simulated instant (exclusive); charges after it have no outcome yet. */
  readonly end: Date;
  /** Index of the first customer, so two runs can simulate disjoint or overlapping populations. */
  readonly firstCustomer?: number;
  /** Customer ids are `<prefix>-000123`; a test gives its own prefix to keep its customers apart. */
  readonly customerIdPrefix?: string;
}

export interface Simulation {
  readonly customers: readonly SimulatedCustomer[];
  /** Every customer's events, in time order. */
  readonly events: readonly TelecomEvent[];
  readonly charges: readonly SimulatedCharge[];
}

/**
 * A small telecom: subscribers on app, web and LINE who buy on their phone bill and pay (or don't).
 * Deterministic for a seed; each customer draws from its own stream, so adding customers does not
 * change the existing ones.
 */
export function simulateTelecom(options: SimulationOptions): Simulation {
  const window = { start: options.start.getTime(), end: options.end.getTime() };
  if (!(window.end > window.start)) throw new Error('simulation end must be after its start');
  const customers: SimulatedCustomer[] = [];
  const events: TelecomEvent[] = [];
  const charges: SimulatedCharge[] = [];
  const first = options.firstCustomer ?? 0;
  for (let index = first; index < first + options.customers; index += 1) {
    const random = new SeededRandom(options.seed * 1_000_003 + index);
    const ids = new SeededRandom(options.seed * 7_919 + index * 31 + window.start / 1000);
    const newId = () => uuidFrom(ids.hex(32));
    const customer = simulateCustomer(random, index, options.customerIdPrefix);
    customers.push(customer);
    const billing = simulateBilling(random, customer, window, newId);
    events.push(...simulateActivity(random, customer, window, newId), ...billing.events);
    charges.push(...billing.charges);
  }
  events.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
  return { customers, events, charges };
}

function uuidFrom(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
