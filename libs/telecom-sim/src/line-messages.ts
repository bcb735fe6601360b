import type { SeededRandom } from './random.js';

/**
 * What a customer writes to the operator's LINE account. Traditional Chinese, as Taiwanese customers
 * write it; the intent is kept so a text classifier has a label to learn.
 */
export type MessageIntent = 'billing_dispute' | 'payment_difficulty' | 'plan_question' | 'thanks';

const TEMPLATES: Readonly<Record<MessageIntent, readonly string[]>> = {
  billing_dispute: [
    '這個月的帳單怎麼多了一筆{merchant}的小額付款？我沒有買',
    '請問電信帳單上{amount}元的代收款是什麼？',
    '我要申訴，帳單金額不對',
  ],
  payment_difficulty: [
    '這個月手頭比較緊，帳單可以晚幾天繳嗎？',
    '請問可以分期繳電信費嗎',
    '帳單逾期了會停話嗎？我下週才有錢',
  ],
  plan_question: [
    '請問有沒有比較便宜的吃到飽方案？',
    '我想升級5G方案，要怎麼辦理',
    '國際漫遊怎麼開通？',
  ],
  thanks: ['謝謝客服，問題解決了', '收到，感謝', '好的謝謝你們'],
};

export function lineMessage(random: SeededRandom, intent: MessageIntent, merchant: string): string {
  const template = random.pick(TEMPLATES[intent]);
  return template.replace('{merchant}', merchant).replace('{amount}', String(random.int(30, 2_000)));
}
