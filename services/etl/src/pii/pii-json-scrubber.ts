import { advanceCursors, completesPath, type PathCursor } from './explicit-pii-paths.js';

/** What the walk does with the leaves it reaches. */
export interface PiiLeafScrubber {
  /** Free text anywhere in the tree, object keys included. */
  scrubString(text: string): string;
  /** An unmarked number: a card (or a +886 mobile without its "+") sent as a JSON number becomes its token. */
  scrubNumber(value: number): string | number;
  /** A string or number under a path the schema marks as PII: replaced whole. */
  tokeniseField(value: string | number): string;
}

function copyInto(target: Record<string, unknown>, key: string, value: unknown): void {
  // An own "__proto__" key (JSON.parse creates one) must stay a plain property: assigning it would
  // set the copy's prototype instead.
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/**
 * The JSON tree with every string scrubbed and every marked field tokenised, copied on write: a
 * container is copied only when something inside it changed, and unchanged subtrees are the
 * input's own (most events carry no PII, and a deep copy per event was a measurable share of the
 * ETL's CPU and garbage; 0011-etl-scaling.md). The input is never mutated; treat the result as
 * read-only. Object keys are scrubbed like free text (PII used as a key is PII), kept in their
 * order; explicit paths match the keys as sent. Unmarked numbers go through `scrubNumber`; booleans
 * and null are unchanged; only own enumerable keys are visited. Values that are not JSON (Dates, Buffers,
 * class instances) are returned by reference, untouched.
 */
export function scrubJsonTree(
  node: unknown,
  cursors: readonly PathCursor[] | undefined,
  marked: boolean,
  leaves: PiiLeafScrubber,
): unknown {
  if (typeof node === 'string') return marked ? leaves.tokeniseField(node) : leaves.scrubString(node);
  if (typeof node === 'number') return marked && Number.isFinite(node) ? leaves.tokeniseField(node) : leaves.scrubNumber(node);
  if (node === null || typeof node !== 'object') return node;

  const child = (value: unknown, key: string): unknown => {
    if (marked || cursors === undefined) return scrubJsonTree(value, undefined, marked, leaves);
    const next = advanceCursors(cursors, key);
    return scrubJsonTree(value, next, next !== undefined && completesPath(next), leaves);
  };

  if (Array.isArray(node)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < node.length; i++) {
      const item: unknown = node[i];
      const scrubbed = child(item, String(i));
      if (scrubbed !== item) {
        out ??= node.slice();
        out[i] = scrubbed;
      }
    }
    return out ?? node;
  }
  const prototype: unknown = Object.getPrototypeOf(node);
  if (prototype !== Object.prototype && prototype !== null) return node;
  const source = node as Record<string, unknown>;
  const keys = Object.keys(source);
  let out: Record<string, unknown> | undefined;
  let renamed: string[] | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const value = source[key];
    const scrubbed = child(value, key);
    if (scrubbed !== value) {
      // Object.assign and spread define an own "__proto__" key as a plain property, as JSON.parse does.
      out ??= prototype === null ? Object.assign(Object.create(null) as Record<string, unknown>, source) : { ...source };
      copyInto(out, key, scrubbed);
    }
    const scrubbedKey = leaves.scrubString(key);
    if (scrubbedKey !== key) (renamed ??= keys.slice())[i] = scrubbedKey;
  }
  if (renamed === undefined) return out ?? source;
  // Rare: rebuilt in the original order under the scrubbed keys (two keys with one token keep the later value).
  const values = out ?? source;
  const rebuilt = prototype === null ? (Object.create(null) as Record<string, unknown>) : {};
  for (let i = 0; i < keys.length; i++) copyInto(rebuilt, renamed[i] as string, values[keys[i] as string]);
  return rebuilt;
}
