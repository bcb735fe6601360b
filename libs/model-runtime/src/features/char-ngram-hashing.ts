/** How text becomes a fixed-width vector; stored in the feature spec so inference does the same. */
export interface NgramHashing {
  readonly ngramMin: number;
  readonly ngramMax: number;
  readonly buckets: number;
}

export const DEFAULT_NGRAM_HASHING: NgramHashing = { ngramMin: 1, ngramMax: 3, buckets: 1 << 14 };

/** The rules, spelled out for the feature spec. */
export const NGRAM_HASHING_RULES = {
  normalisation: 'Unicode NFKC, lower case, runs of white space collapsed to one space, trimmed',
  units: 'Unicode code points (so CJK text needs no tokenizer)',
  hash: 'FNV-1a 32-bit over the UTF-8 bytes of each n-gram, modulo buckets',
  weighting: 'log(1 + count) per bucket, then the vector scaled to unit L2 norm',
} as const;

/** A sparse hashed vector: ascending bucket indices and their weights. */
export interface HashedVector {
  readonly indices: Uint32Array;
  readonly values: Float32Array;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a (32-bit) of the UTF-8 encoding of the given code points. */
export function fnv1a32(codePoints: ArrayLike<number>, start = 0, end = codePoints.length): number {
  let hash = FNV_OFFSET;
  const mix = (byte: number) => {
    hash = Math.imul(hash ^ byte, FNV_PRIME) >>> 0;
  };
  for (let i = start; i < end; i++) {
    const cp = codePoints[i] as number;
    if (cp < 0x80) mix(cp);
    else if (cp < 0x800) {
      mix(0xc0 | (cp >> 6));
      mix(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      mix(0xe0 | (cp >> 12));
      mix(0x80 | ((cp >> 6) & 0x3f));
      mix(0x80 | (cp & 0x3f));
    } else {
      mix(0xf0 | (cp >> 18));
      mix(0x80 | ((cp >> 12) & 0x3f));
      mix(0x80 | ((cp >> 6) & 0x3f));
      mix(0x80 | (cp & 0x3f));
    }
  }
  return hash >>> 0;
}

/** Code points of the normalised text. */
export function normalisedCodePoints(text: string): number[] {
  const normalised = text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
  return Array.from(normalised, (char) => char.codePointAt(0) as number);
}

/** Every character n-gram (ngramMin..ngramMax code points) of the text, as strings (for tests and debugging). */
export function characterNgrams(text: string, config: Pick<NgramHashing, 'ngramMin' | 'ngramMax'>): string[] {
  const points = normalisedCodePoints(text);
  const grams: string[] = [];
  for (let n = config.ngramMin; n <= config.ngramMax; n++) {
    for (let i = 0; i + n <= points.length; i++) grams.push(String.fromCodePoint(...points.slice(i, i + n)));
  }
  return grams;
}

/** The hashed, weighted, L2-normalised n-gram vector of a text (empty for null or empty text). */
export function hashText(text: string | null, config: NgramHashing): HashedVector {
  if (!(config.ngramMin >= 1 && config.ngramMax >= config.ngramMin && config.buckets >= 1)) {
    throw new RangeError(`invalid n-gram hashing ${JSON.stringify(config)}`);
  }
  const counts = new Map<number, number>();
  if (text !== null) {
    const points = normalisedCodePoints(text);
    for (let n = config.ngramMin; n <= config.ngramMax; n++) {
      for (let i = 0; i + n <= points.length; i++) {
        const bucket = fnv1a32(points, i, i + n) % config.buckets;
        counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
      }
    }
  }
  const indices = Uint32Array.from(counts.keys()).sort();
  const values = Float32Array.from(indices, (index) => Math.log1p(counts.get(index) as number));
  let squares = 0;
  for (const value of values) squares += value * value;
  const norm = Math.sqrt(squares);
  if (norm > 0) for (let i = 0; i < values.length; i++) values[i] = (values[i] as number) / norm;
  return { indices, values };
}
