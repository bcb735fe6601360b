import { describe, expect, it } from 'vitest';
import { normaliseMoney } from './money.js';

describe('normaliseMoney', () => {
  it('upper-cases ISO-4217 codes and turns decimal text beside them into numbers, at any depth', () => {
    const { value, issues } = normaliseMoney(
      { amount: '1,299.50', currency: ' twd ', products: [{ price: '10', currency: 'usd' }], note: '12' },
      'properties',
    );
    expect(issues).toEqual([]);
    expect(value).toEqual({ amount: 1299.5, currency: 'TWD', products: [{ price: 10, currency: 'USD' }], note: '12' });
  });

  it('keeps numbers, and text that is not a plain amount, as they are', () => {
    expect(normaliseMoney({ amount: 5, currency: 'JPY', total: 'about 5' }).value).toEqual({ amount: 5, currency: 'JPY', total: 'about 5' });
    expect(normaliseMoney({ amount: '12' }).value).toEqual({ amount: '12' });
  });

  it('reports a currency that is not an ISO-4217 code, with its path', () => {
    expect(normaliseMoney({ items: [{ currency: 'dollars' }] }, 'properties').issues).toEqual([
      { path: 'properties.items[0].currency', code: 'invalid_currency', message: 'not an ISO-4217 currency code' },
    ]);
  });
});
