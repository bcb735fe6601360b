export { simulateTelecom, type Simulation, type SimulationOptions } from './simulate.js';
export type { SimulatedCustomer, Channel } from './customers.js';
export type { SimulatedCharge } from './billing.js';
export { CHARGE_EVENT, PAYMENT_EVENT, LINE_MESSAGE_EVENT, type TelecomEvent } from './telecom-event.js';
export type { MessageIntent } from './line-messages.js';
export { SeededRandom } from './random.js';
