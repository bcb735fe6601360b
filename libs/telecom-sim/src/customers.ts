import { emailAddress, taiwanMobile, taiwanNationalId } from './identity.js';
import type { SeededRandom } from './random.js';

export type Channel = 'web' | 'app' | 'line';

/** A simulated subscriber. `risk` is the hidden truth the bad-debt model has to recover. */
export interface SimulatedCustomer {
  readonly userId: string;
  /** Standard normal; higher means more likely to leave a carrier-billing charge unpaid. */
  readonly risk: number;
  /** Charges per 30 days, on average. */
  readonly chargeRate: number;
  /** Typical charge amount in TWD. */
  readonly typicalAmount: number;
  /** Where the customer mostly shows up. */
  readonly channels: readonly Channel[];
  readonly nationalId: string;
  readonly mobile: string;
  readonly email: string;
}

export function simulateCustomer(random: SeededRandom, index: number, idPrefix = 'cust'): SimulatedCustomer {
  const risk = random.normal();
  const userId = `${idPrefix}-${String(index).padStart(6, '0')}`;
  const channels: Channel[] = ['app'];
  if (random.chance(0.6)) channels.push('web');
  // Customers in payment trouble write to the LINE account more often.
  if (random.chance(0.35 + 0.2 * Math.tanh(risk))) channels.push('line');
  return {
    userId,
    risk,
    // Riskier subscribers buy more on the phone bill, and more expensively: observable signal.
    chargeRate: 1.5 + 1.5 / (1 + Math.exp(-risk)) + random.next(),
    typicalAmount: Math.round(Math.exp(Math.log(250) + 0.35 * risk + 0.3 * random.normal())),
    channels,
    nationalId: taiwanNationalId(random),
    mobile: taiwanMobile(random),
    email: emailAddress(random, `user${index}`),
  };
}
