import type { ValidationIssue } from '@kuroshio/contracts';

const ISO_4217 = new Set(Intl.supportedValuesOf('currency'));

// Segment's e-commerce spec and the platform's billing events name amounts these ways.
const AMOUNT_KEYS = new Set(['amount', 'price', 'revenue', 'total', 'value', 'subtotal', 'tax', 'shipping', 'discount', 'fee', 'balance']);

const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;
const GROUPED_DECIMAL = /^-?\d{1,3}(,\d{3})+(\.\d+)?$/;

/**
 * Normalises money: every object that has a `currency` gets it as an upper-case ISO-4217 code (an
 * unknown code is an issue), and amount fields beside it given as decimal text ("1,299.00") become
 * numbers. Works at any depth (e.g. `products[].price`). Copied on write: the containers on the way
 * to a change are new, everything else is the input's own (most events carry no money), and the
 * input is never mutated.
 */
export function normaliseMoney(value: unknown, path = ''): { value: unknown; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  // Where the walk is, rendered only when an issue names it (`properties.items[0].currency`).
  const segments: Array<string | number> = [];
  const pathTo = (key: string): string => {
    let at = path;
    for (const segment of segments) at = typeof segment === 'number' ? `${at}[${segment}]` : at === '' ? segment : `${at}.${segment}`;
    return at === '' ? key : `${at}.${key}`;
  };
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) {
      let out: unknown[] | undefined;
      for (let index = 0; index < node.length; index++) {
        const item: unknown = node[index];
        segments.push(index);
        const next = walk(item);
        segments.pop();
        if (next !== item) {
          out ??= node.slice();
          out[index] = next;
        }
      }
      return out ?? node;
    }
    if (typeof node !== 'object' || node === null) return node;
    const source = node as Record<string, unknown>;
    const hasCurrency = typeof source.currency === 'string';
    let out: Record<string, unknown> | undefined;
    for (const key of Object.keys(source)) {
      const child = source[key];
      let next: unknown;
      if (key === 'currency' && typeof child === 'string') {
        const code = child.trim().toUpperCase();
        if (!ISO_4217.has(code)) issues.push({ path: pathTo(key), code: 'invalid_currency', message: 'not an ISO-4217 currency code' });
        next = code;
      } else if (hasCurrency && AMOUNT_KEYS.has(key) && typeof child === 'string') {
        next = amountOf(child) ?? child;
      } else {
        segments.push(key);
        next = walk(child);
        segments.pop();
      }
      if (next !== child) {
        out ??= { ...source };
        out[key] = next;
      }
    }
    return out ?? source;
  };
  return { value: walk(value), issues };
}

function amountOf(text: string): number | undefined {
  const trimmed = text.trim();
  if (PLAIN_DECIMAL.test(trimmed)) return Number(trimmed);
  if (GROUPED_DECIMAL.test(trimmed)) return Number(trimmed.replaceAll(',', ''));
  return undefined;
}
