import { advanceCursors, completesPath, type PathCursor } from './explicit-pii-paths.js';

/** What the walk does with the leaves it reaches. */
export interface PiiLeafScrubber {
  /** Free text anywhere in the tree. */
  scrubString(text: string): string;
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
 * A deep copy of a JSON tree with every string scrubbed and every marked field tokenised. Object
 * keys are kept as they are; booleans, null and unmarked numbers are copied unchanged; only own
 * enumerable keys are visited. Values that are not JSON (Dates, Buffers, class instances) are
 * returned by reference, untouched.
 */
export function scrubJsonTree(
  node: unknown,
  cursors: readonly PathCursor[] | undefined,
  marked: boolean,
  leaves: PiiLeafScrubber,
): unknown {
  if (typeof node === 'string') return marked ? leaves.tokeniseField(node) : leaves.scrubString(node);
  if (typeof node === 'number') return marked && Number.isFinite(node) ? leaves.tokeniseField(node) : node;
  if (node === null || typeof node !== 'object') return node;

  const child = (value: unknown, key: string): unknown => {
    if (marked || cursors === undefined) return scrubJsonTree(value, undefined, marked, leaves);
    const next = advanceCursors(cursors, key);
    return scrubJsonTree(value, next, next !== undefined && completesPath(next), leaves);
  };

  if (Array.isArray(node)) {
    const out: unknown[] = new Array(node.length);
    for (let i = 0; i < node.length; i++) out[i] = child(node[i], String(i));
    return out;
  }
  const prototype: unknown = Object.getPrototypeOf(node);
  if (prototype !== Object.prototype && prototype !== null) return node;
  const source = node as Record<string, unknown>;
  const out: Record<string, unknown> = prototype === null ? Object.create(null) : {};
  for (const key of Object.keys(source)) copyInto(out, key, child(source[key], key));
  return out;
}
