import { createSecretKey, type KeyObject } from 'node:crypto';
import { canonicalEmailAddress } from './email-address.js';
import { compilePiiPaths, type CompiledPiiPaths, rootCursors } from './explicit-pii-paths.js';
import { foldFullwidth } from './fullwidth-folding.js';
import { maskJsonEscapes } from './json-escape-masking.js';
import { canonicalPaymentCard } from './payment-card.js';
import { canonicalPhoneNumber } from './phone-number.js';
import { emptyPiiCounts, type PiiCounts, type PiiKind } from './pii-kind.js';
import { scrubJsonTree } from './pii-json-scrubber.js';
import { type PiiHit, scanPii } from './pii-text-scanner.js';
import { isPiiToken, piiToken } from './pii-token.js';
import { canonicalTaiwanNationalId } from './taiwan-national-id.js';
import { TokenCache } from './token-cache.js';
import { percentDecodedView } from './percent-decoding.js';

export interface PiiTokenizerOptions {
  /** HMAC key, at least 32 bytes, from a config Secret. Copied; never logged. */
  key: Buffer;
  /**
   * Tokens remembered per canonical value; 0 (the default) turns the cache off. An HMAC costs about
   * as much as scanning a whole event, so a stream where the same customers recur gains up to 2.4x
   * with 100,000 (about 20 MB); a stream of mostly new values loses about 30% to cache upkeep.
   */
  tokenCacheSize?: number;
}

export interface ScrubTextResult {
  text: string;
  found: PiiCounts;
}

export interface ScrubJsonResult<T> {
  value: T;
  /** Values recognised by kind, in free text and in marked fields. */
  found: PiiCounts;
  /** Values replaced because their path is marked, whether or not a kind was recognised. */
  explicit: number;
}

export const MIN_PII_KEY_BYTES = 32;
const DEFAULT_TOKEN_CACHE_SIZE = 0;
/** The smallest number that can be PII: 12 digits (886 + a mobile); cards have 13–19. */
const MIN_PII_NUMBER = 1e11;

/** Canonical form for `token()`: the detector's form when the value is valid, a tidy form otherwise. */
function canonicalForKind(kind: PiiKind, value: string): string {
  const folded = foldFullwidth(value.trim());
  switch (kind) {
    case 'national_id':
      return canonicalTaiwanNationalId(folded);
    case 'phone':
      return canonicalPhoneNumber(folded) ?? folded;
    case 'email':
      return canonicalEmailAddress(folded);
    case 'card':
      return canonicalPaymentCard(folded) ?? folded.replace(/[ -]/g, '');
  }
}

/**
 * Replaces Taiwanese national IDs, phone numbers, e-mail addresses and payment card numbers with
 * keyed tokens. Same key and value give the same token, so tokenised data still joins.
 */
export class PiiTokenizer {
  readonly #key: KeyObject;
  readonly #compiledPaths = new WeakMap<readonly string[], CompiledPiiPaths>();
  readonly #tokens: TokenCache;

  constructor(options: PiiTokenizerOptions) {
    if (!Buffer.isBuffer(options.key) || options.key.length < MIN_PII_KEY_BYTES) {
      throw new RangeError(`PII tokenisation key must be at least ${MIN_PII_KEY_BYTES} bytes`);
    }
    const cacheSize = options.tokenCacheSize ?? DEFAULT_TOKEN_CACHE_SIZE;
    if (!Number.isSafeInteger(cacheSize) || cacheSize < 0) {
      throw new RangeError('tokenCacheSize must be a non-negative integer');
    }
    this.#key = createSecretKey(Buffer.from(options.key));
    this.#tokens = new TokenCache(cacheSize);
  }

  /** The token for a value of a known kind, formatted any way a channel writes it. */
  token(kind: PiiKind, value: string): string {
    return this.#token(kind, canonicalForKind(kind, value));
  }

  scrubText(text: string): ScrubTextResult {
    const found = emptyPiiCounts();
    return { text: this.#scrub(text, found), found };
  }

  /**
   * JSON text that could not be parsed (so its values cannot be scrubbed one by one): scanned with
   * its backslash escapes as boundaries, so a value right after `\n` is found and no token is glued
   * to an escape. Text that parses should go through `scrubJson`, which sees the decoded values.
   */
  scrubJsonText(text: string): ScrubTextResult {
    const found = emptyPiiCounts();
    return { text: this.#scrub(text, found, maskJsonEscapes(text)), found };
  }

  /**
   * The value with every string scrubbed, copied on write (unchanged subtrees are the input's own;
   * the input is never mutated). `explicitPiiPaths` (dot paths, "*" for any key or
   * index) are tokenised whole; pass the same array each time and it is compiled once.
   */
  scrubJson<T>(value: T, explicitPiiPaths?: readonly string[]): ScrubJsonResult<T> {
    const found = emptyPiiCounts();
    let explicit = 0;
    const cursors = explicitPiiPaths === undefined ? undefined : rootCursors(this.#paths(explicitPiiPaths));
    const scrubbed = scrubJsonTree(value, cursors, false, {
      scrubString: (text) => this.#scrub(text, found),
      scrubNumber: (number) => this.#scrubNumber(number, found),
      tokeniseField: (field) => {
        const text = typeof field === 'number' ? String(field) : field;
        const token = this.#tokeniseField(text, found);
        if (token !== text) explicit++;
        return token;
      },
    });
    return { value: scrubbed as T, found, explicit };
  }

  #paths(paths: readonly string[]): CompiledPiiPaths {
    let compiled = this.#compiledPaths.get(paths);
    if (compiled === undefined) {
      compiled = compilePiiPaths(paths);
      this.#compiledPaths.set(paths, compiled);
    }
    return compiled;
  }

  /** `view` is what detection reads: the text itself, or a copy of the same length with escapes masked. */
  #scrub(text: string, found: PiiCounts, view: string = text): string {
    // Percent-encoded values (URLs) are found in their decoded form and replaced as sent.
    const decoded = percentDecodedView(view);
    const at = decoded === undefined ? (index: number) => index : (index: number) => decoded.origin[index] as number;
    let out = '';
    let last = 0;
    scanPii(decoded?.view ?? view, (hit) => {
      out += text.slice(last, at(hit.start)) + this.#token(hit.kind, hit.canonical);
      last = at(hit.end);
      found[hit.kind]++;
    });
    return last === 0 ? text : out + text.slice(last);
  }

  /**
   * A JSON number that is wholly a card (13–19 digits) or, with fewer digits, a +886 mobile written
   * without its "+" (886912345678). Numbers below 12 digits are left alone: a mobile whose leading 0
   * a number lost (912345678) cannot be told from an amount or an id. Integers beyond 2^53 have
   * lost digits in JSON.parse; the ETL parses with `parseJsonKeepingCardDigits`, which keeps a
   * 17–19-digit card as a string of its digits, so it reaches this scrubber as text.
   */
  #scrubNumber(number: number, found: PiiCounts): string | number {
    if (number < MIN_PII_NUMBER || !Number.isSafeInteger(number)) return number;
    const hit = this.#wholeHit(String(number));
    if (hit === undefined) return number;
    found[hit.kind]++;
    return this.#token(hit.kind, hit.canonical);
  }

  /** The one value that is the whole text, if it is one. */
  #wholeHit(text: string): PiiHit | undefined {
    let only: PiiHit | undefined;
    let hits = 0;
    scanPii(text, (hit) => {
      hits++;
      only = hit;
    });
    return hits === 1 && only !== undefined && only.start === 0 && only.end === text.length ? only : undefined;
  }

  /**
   * A marked field that holds exactly one recognisable value gets that kind's token, so it joins
   * with the same value found in free text; anything else gets a "field" token of the whole value.
   * Tokens and blank values are left as they are, which keeps scrubbing idempotent.
   */
  #tokeniseField(text: string, found: PiiCounts): string {
    const trimmed = text.trim();
    if (trimmed.length === 0 || isPiiToken(trimmed)) return text;
    const only = this.#wholeHit(trimmed);
    if (only !== undefined) {
      found[only.kind]++;
      return this.#token(only.kind, only.canonical);
    }
    return this.#token('field', trimmed);
  }

  #token(kind: PiiKind | 'field', canonical: string): string {
    const cacheKey = `${kind}:${canonical}`;
    let token = this.#tokens.get(cacheKey);
    if (token === undefined) {
      token = piiToken(this.#key, kind, canonical);
      this.#tokens.set(cacheKey, token);
    }
    return token;
  }
}
