import type { ValidationIssue } from '@kuroshio/contracts';

const ISO_4217 = new Set(Intl.supportedValuesOf('currency'));

// Segment's e-commerce spec and the platform's billing events name amounts these ways.
const AMOUNT_KEYS = new Set(['amount', 'price', 'revenue', 'total', 'value', 'subtotal', 'tax', 'shipping', 'discount', 'fee', 'balance']);

const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;
const GROUPED_DECIMAL = /^-?\d{1,3}(,\d{3})+(\.\d+)?$/;

/**
 * Normalises money in place of a copy: every object that has a `currency` gets it as an upper-case
 * ISO-4217 code (an unknown code is an issue), and amount fields beside it given as decimal text
 * ("1,299.00") become numbers. Works at any depth (e.g. `products[].price`).
 */
export function normaliseMoney(value: unknown, path = ''): { value: unknown; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const walk = (node: unknown, at: string): unknown => {
    if (Array.isArray(node)) return node.map((item, index) => walk(item, `${at}[${index}]`));
    if (typeof node !== 'object' || node === null) return node;
    const source = node as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    const hasCurrency = typeof source.currency === 'string';
    for (const [key, child] of Object.entries(source)) {
      const childPath = at === '' ? key : `${at}.${key}`;
      if (key === 'currency' && typeof child === 'string') {
        const code = child.trim().toUpperCase();
        if (!ISO_4217.has(code)) issues.push({ path: childPath, code: 'invalid_currency', message: 'not an ISO-4217 currency code' });
        out[key] = code;
      } else if (hasCurrency && AMOUNT_KEYS.has(key) && typeof child === 'string') {
        out[key] = amountOf(child) ?? child;
      } else {
        out[key] = walk(child, childPath);
      }
    }
    return out;
  };
  return { value: walk(value, path), issues };
}

function amountOf(text: string): number | undefined {
  const trimmed = text.trim();
  if (PLAIN_DECIMAL.test(trimmed)) return Number(trimmed);
  if (GROUPED_DECIMAL.test(trimmed)) return Number(trimmed.replaceAll(',', ''));
  return undefined;
}
