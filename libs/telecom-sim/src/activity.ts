import type { SimulatedCustomer } from './customers.js';
import { lineMessage, type MessageIntent } from './line-messages.js';
import { SeededRandom, sigmoid } from './random.js';
import { LINE_MESSAGE_EVENT, type TelecomEvent } from './telecom-event.js';

const DAY_MS = 86_400_000;
const SCREENS = ['Home', 'Bill', 'Usage', 'Plans', 'Roaming', 'Payment'];
const PAGES = ['/', '/bill', '/plans', '/5g', '/support', '/payment'];

function times(random: SeededRandom, perThirtyDays: number, window: { start: number; end: number }): number[] {
  const out: number[] = [];
  const gap = (30 * DAY_MS) / perThirtyDays;
  for (let at = window.start + random.exponential(gap); at < window.end; at += random.exponential(gap)) out.push(Math.floor(at));
  return out;
}

function intentFor(random: SeededRandom, risk: number): MessageIntent {
  const trouble = sigmoid(-1 + 1.5 * risk);
  if (random.chance(trouble)) return random.chance(0.6) ? 'payment_difficulty' : 'billing_dispute';
  return random.chance(0.6) ? 'plan_question' : 'thanks';
}

/** App screens, web pages, LINE messages and one identify call with the customer's (personal) traits. */
export function simulateActivity(
  random: SeededRandom,
  customer: SimulatedCustomer,
  window: { readonly start: number; readonly end: number },
  newId: () => string,
): TelecomEvent[] {
  const events: TelecomEvent[] = [
    {
      messageId: newId(),
      type: 'identify',
      userId: customer.userId,
      timestamp: new Date(window.start + random.int(0, DAY_MS)).toISOString(),
      context: { channel: 'app' },
      traits: {
        email: customer.email,
        phone: customer.mobile,
        nationalId: customer.nationalId,
        plan: customer.risk > 1 ? 'prepaid-plus' : 'postpaid-599',
        segment: 'consumer',
      },
    },
  ];
  for (const at of times(random, 10, window)) {
    events.push({
      messageId: newId(),
      type: 'screen',
      name: random.chance(0.2 + 0.2 * sigmoid(customer.risk)) ? 'Payment' : random.pick(SCREENS),
      userId: customer.userId,
      timestamp: new Date(at).toISOString(),
      context: { channel: 'app' },
      properties: {},
    });
  }
  if (customer.channels.includes('web')) {
    for (const at of times(random, 4, window)) {
      const path = random.pick(PAGES);
      events.push({
        messageId: newId(),
        type: 'page',
        name: path,
        userId: customer.userId,
        timestamp: new Date(at).toISOString(),
        context: { channel: 'web' },
        properties: { path, url: `https://www.example-telecom.tw${path}` },
      });
    }
  }
  if (customer.channels.includes('line')) {
    for (const at of times(random, 1 + 2 * sigmoid(customer.risk), window)) {
      const intent = intentFor(random, customer.risk);
      // Now and then a customer types a phone number into the chat: the ETL must tokenise it.
      const text = `${lineMessage(random, intent, 'Google Play')}${random.chance(0.1) ? ` 我的電話 ${customer.mobile}` : ''}`;
      events.push({
        messageId: newId(),
        type: 'track',
        event: LINE_MESSAGE_EVENT,
        userId: customer.userId,
        timestamp: new Date(at).toISOString(),
        context: { channel: 'line' },
        properties: { lineEventType: 'message', messageType: 'text', text, intent },
      });
    }
  }
  return events;
}
