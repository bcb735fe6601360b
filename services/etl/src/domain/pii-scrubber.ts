import type { PiiCounts } from '../pii/index.js';

/**
 * What the pipeline needs from the PII tokenizer (`PiiTokenizer` in ../pii satisfies it), so the
 * domain can be tested with a fake.
 */
export interface PiiScrubber {
  scrubText(text: string): { text: string; found: PiiCounts };
  /** JSON text that does not parse: escapes count as boundaries. */
  scrubJsonText(text: string): { text: string; found: PiiCounts };
  scrubJson<T>(value: T, explicitPiiPaths?: readonly string[]): { value: T; found: PiiCounts };
}
