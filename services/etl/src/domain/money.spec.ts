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

  it('returns what has nothing to normalise as it is, and copies only the way to a change', () => {
    const plain = { section: 'billing', items: [{ sku: 'a' }] };
    expect(normaliseMoney(plain, 'properties').value).toBe(plain);
    const input = { order: { total: '1,000', currency: 'twd' }, items: [{ sku: 'a' }] };
    const { value } = normaliseMoney(input, 'properties') as { value: typeof input };
    expect(value).toEqual({ order: { total: 1000, currency: 'TWD' }, items: [{ sku: 'a' }] });
    expect(value.items).toBe(input.items);
    expect(input.order).toEqual({ total: '1,000', currency: 'twd' });
  });

  it('names nested paths as before (array indices, root without a field name)', () => {
    expect(normaliseMoney([{ a: [{ currency: 'zz' }] }]).issues.map((issue) => issue.path)).toEqual(['[0].a[0].currency']);
    expect(normaliseMoney({ x: { currency: 'zz' } }).issues.map((issue) => issue.path)).toEqual(['x.currency']);
  });
});

