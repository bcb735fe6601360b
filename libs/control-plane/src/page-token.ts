import { DomainError } from '@kuroshio/service-kit';

// Page tokens are opaque to callers: base64url of {list, after}. The list name stops a token of
// one listing from being replayed against another.

export const PAGE_SIZE = { default: 100, max: 1000 } as const;

function invalidArgument(message: string, field: 'page_size' | 'page_token'): DomainError {
  return new DomainError('INVALID_ARGUMENT', message, { reason: `invalid_${field}`, details: { field } });
}

/** The page size a request asks for: 0 means the default, anything above the maximum is capped. */
export function pageSizeOf(requested: number): number {
  if (!Number.isInteger(requested) || requested < 0) throw invalidArgument('page_size must be a non-negative integer', 'page_size');
  return requested === 0 ? PAGE_SIZE.default : Math.min(requested, PAGE_SIZE.max);
}

export function encodePageToken(list: string, after: string | number): string {
  return Buffer.from(JSON.stringify({ list, after }), 'utf8').toString('base64url');
}

/** The cursor of a token, undefined for the first page; a token that is not ours is INVALID_ARGUMENT. */
export function decodePageToken(list: string, token: string, type: 'number'): number | undefined;
export function decodePageToken(list: string, token: string, type: 'string'): string | undefined;
export function decodePageToken(list: string, token: string, type: 'string' | 'number'): string | number | undefined {
  if (token === '') return undefined;
  const bad = () => invalidArgument('page_token is not a token this listing returned', 'page_token');
  if (token.length > 512 || !/^[A-Za-z0-9_-]+$/.test(token)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (typeof parsed !== 'object' || parsed === null) throw bad();
  const { list: tokenList, after } = parsed as { list?: unknown; after?: unknown };
  if (tokenList !== list || typeof after !== type) throw bad();
  if (typeof after === 'number' && !Number.isSafeInteger(after)) throw bad();
  return after as string | number;
}

/** One page of `items` (already in listing order) from `startIndex`, with the token of the next. */
export function page<T>(items: readonly T[], size: number, startIndex: number, cursorOf: (item: T) => string | number, list: string) {
  const slice = items.slice(startIndex, startIndex + size);
  const last = slice[slice.length - 1];
  const more = startIndex + size < items.length;
  return { items: slice, nextPageToken: more && last !== undefined ? encodePageToken(list, cursorOf(last)) : '' };
}
