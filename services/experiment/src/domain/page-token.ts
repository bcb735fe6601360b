import { invalidArgument } from './experiment-errors.js';

// Page tokens are opaque to callers: base64url of {list, after}. The list name stops a token of
// one listing from being replayed against another.

export const PAGE_SIZE = { default: 100, max: 1000 } as const;

export function pageSizeOf(requested: number): number {
  if (!Number.isInteger(requested) || requested < 0) throw invalidArgument('page_size must be a non-negative integer', 'invalid_page_size', { field: 'page_size' });
  return requested === 0 ? PAGE_SIZE.default : Math.min(requested, PAGE_SIZE.max);
}

export function encodePageToken(list: string, after: number): string {
  return Buffer.from(JSON.stringify({ list, after }), 'utf8').toString('base64url');
}

/** The cursor of a token, undefined for the first page; a token that is not ours is INVALID_ARGUMENT. */
export function decodePageToken(list: string, token: string): number | undefined {
  if (token === '') return undefined;
  const bad = () => invalidArgument('page_token is not a token this listing returned', 'invalid_page_token', { field: 'page_token' });
  if (token.length > 512 || !/^[A-Za-z0-9_-]+$/.test(token)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (typeof parsed !== 'object' || parsed === null) throw bad();
  const { list: tokenList, after } = parsed as { list?: unknown; after?: unknown };
  if (tokenList !== list || typeof after !== 'number' || !Number.isSafeInteger(after)) throw bad();
  return after;
}
