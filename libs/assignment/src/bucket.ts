import { hash } from 'node:crypto';
import { AssignmentError } from './assignment-error.js';

/** Number of integer buckets `bucketIndexOf` uses unless told otherwise (0.01% resolution). */
export const DEFAULT_BUCKETS = 10_000;

const SEPARATOR = '\u0000';
const TWO_POW_21 = 2 ** 21;
const TWO_POW_53 = 2 ** 53;

/**
 * The one assignment hash of the platform: a number uniform in [0, 1) for a unit in an experiment.
 *
 * u = first 53 bits of SHA-256(UTF-8(experimentKey ‖ 0x00 ‖ salt ‖ 0x00 ‖ unitId)), big-endian, / 2^53.
 *
 * Stable across processes, platforms and languages (Python: `hashlib.sha256`, ClickHouse:
 * `SHA256`), which is why it is SHA-256 and not a seeded non-cryptographic hash. The key and the
 * salt may not contain NUL, so the encoding is unambiguous; a different salt re-randomises an
 * experiment without renaming it. Unit ids must be non-empty, well-formed Unicode (no lone
 * surrogates, which other languages cannot encode as UTF-8).
 */
export function bucketOf(experimentKey: string, salt: string, unitId: string): number {
  checkHashPart(experimentKey, 'experiment key', false);
  checkHashPart(salt, 'salt', true);
  return bucketOfCheckedKey(experimentKey, salt, unitId);
}

/** `bucketOf` for a key and salt the caller has already checked (`checkPlan`); checks the unit id. */
export function bucketOfCheckedKey(experimentKey: string, salt: string, unitId: string): number {
  checkUnitId(unitId);
  const digest = hash('sha256', experimentKey + SEPARATOR + salt + SEPARATOR + unitId, 'buffer');
  const high = digest.readUInt32BE(0);
  const low = digest.readUInt32BE(4);
  return (high * TWO_POW_21 + (low >>> 11)) / TWO_POW_53;
}

/** floor(bucketOf(...) * buckets): an integer in [0, buckets), e.g. 0..9999 by default. */
export function bucketIndexOf(experimentKey: string, salt: string, unitId: string, buckets = DEFAULT_BUCKETS): number {
  if (!Number.isSafeInteger(buckets) || buckets < 1) {
    throw new AssignmentError('invalid-experiment', `buckets must be a positive integer, got ${buckets}`);
  }
  return Math.floor(bucketOf(experimentKey, salt, unitId) * buckets);
}

export function checkHashPart(value: string, what: string, mayBeEmpty: boolean): void {
  if (typeof value !== 'string' || (!mayBeEmpty && value === '')) {
    throw new AssignmentError('invalid-experiment', `${what} must be a${mayBeEmpty ? '' : ' non-empty'} string`);
  }
  if (value.includes(SEPARATOR)) throw new AssignmentError('invalid-experiment', `${what} must not contain NUL`);
  if (!isWellFormed(value)) throw new AssignmentError('invalid-experiment', `${what} is not well-formed Unicode`);
}

function checkUnitId(unitId: string): void {
  if (typeof unitId !== 'string' || unitId === '') {
    throw new AssignmentError('invalid-unit', 'unit id must be a non-empty string');
  }
  if (!isWellFormed(unitId)) throw new AssignmentError('invalid-unit', 'unit id is not well-formed Unicode');
}

// String.prototype.isWellFormed is ES2024 (Node >= 20); the ES2023 lib this repo compiles against
// does not declare it yet.
function isWellFormed(value: string): boolean {
  return (value as string & { isWellFormed(): boolean }).isWellFormed();
}
