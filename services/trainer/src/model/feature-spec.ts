import { NGRAM_HASHING_RULES, type NgramHashing } from '@kuroshio/model-runtime';
import type { ModelFamily } from './model-family.js';

export interface FeatureSpecColumn {
  readonly column: string;
  readonly featureView: string;
  readonly feature: string;
  readonly version: number;
  readonly valueType: string;
}

/**
 * feature-spec.json: the ordered inputs inference must supply and how they become the model's input
 * vector. Numeric columns go through normalizer.json; the text column (text classifier) is hashed.
 */
export interface FeatureSpec {
  readonly version: 1;
  readonly family: ModelFamily;
  readonly inputWidth: number;
  readonly label: { readonly column: 'label'; readonly positive: 1 };
  readonly numeric: readonly FeatureSpecColumn[];
  readonly text: (FeatureSpecColumn & NgramHashing & { readonly rules: typeof NGRAM_HASHING_RULES }) | null;
  readonly layout: string;
}

export const INPUT_LAYOUT =
  'normalizer z-scores of `numeric` in order, then the normalizer missing indicators, then (text classifier) `text.buckets` hashed n-gram weights';

export function featureSpec(parts: { family: ModelFamily; inputWidth: number; numeric: readonly FeatureSpecColumn[]; text: (FeatureSpecColumn & NgramHashing) | null }): FeatureSpec {
  return {
    version: 1,
    family: parts.family,
    inputWidth: parts.inputWidth,
    label: { column: 'label', positive: 1 },
    numeric: parts.numeric,
    text: parts.text === null ? null : { ...parts.text, rules: NGRAM_HASHING_RULES },
    layout: INPUT_LAYOUT,
  };
}
