export { parseJsonKeepingCardDigits } from './card-number-literals.js';
export { isLuhnValid, luhnCheckDigit } from './payment-card.js';
export { PII_KINDS, emptyPiiCounts, addPiiCounts, type PiiCounts, type PiiKind } from './pii-kind.js';
export { type PiiHit, scanPii } from './pii-text-scanner.js';
export { isPiiToken, PII_TOKEN_PATTERN } from './pii-token.js';
export {
  MIN_PII_KEY_BYTES,
  PiiTokenizer,
  type PiiTokenizerOptions,
  type ScrubJsonResult,
  type ScrubTextResult,
} from './pii-tokenizer.js';
export { isTaiwanNationalId, taiwanNationalIdCheckDigit } from './taiwan-national-id.js';
