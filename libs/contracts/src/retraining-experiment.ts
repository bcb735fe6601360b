import { createHash } from 'node:crypto';
import { EXPERIMENT_KEY_PATTERN } from './naming.js';

/** The alias of the version serving a model's traffic. */
export const CHAMPION_ALIAS = 'champion';
/** The alias continuous retraining gives a new version while its experiment against the champion runs. */
export const CHALLENGER_ALIAS = 'challenger';

const MAX_KEY_LENGTH = 63;

/**
 * The experiment that decides a challenger: `retrain-<model>-v<version>`. Derived, not stored, so
 * whoever sees a `challenger` alias knows the experiment — the trainer that runs it and inference
 * that routes the champion's traffic by it (a version is challenger at most once). Long model names
 * keep a prefix and a hash of the whole name.
 */
export function retrainingExperimentKey(modelName: string, challengerVersion: number): string {
  const suffix = `-v${challengerVersion}`;
  const plain = `retrain-${modelName}${suffix}`;
  if (plain.length <= MAX_KEY_LENGTH) return plain;
  const hash = createHash('sha256').update(modelName).digest('hex').slice(0, 8);
  const key = `retrain-${modelName.slice(0, MAX_KEY_LENGTH - 'retrain-'.length - hash.length - 1 - suffix.length)}-${hash}${suffix}`;
  if (!EXPERIMENT_KEY_PATTERN.test(key)) throw new Error(`cannot derive an experiment key for ${modelName} v${challengerVersion}`);
  return key;
}
