import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXPERIMENT_KEY_PATTERN } from './naming.js';
import { retrainingExperimentKey } from './retraining-experiment.js';

describe('retraining experiment key', () => {
  it('is retrain-<model>-v<version>, shortened with a hash for long model names', () => {
    expect(retrainingExperimentKey('bad-debt', 7)).toBe('retrain-bad-debt-v7');
    const long = `m${'x'.repeat(62)}`;
    const key = retrainingExperimentKey(long, 123);
    expect(key).toMatch(/^retrain-mx+-[0-9a-f]{8}-v123$/);
    expect(key.length).toBeLessThanOrEqual(63);
    expect(retrainingExperimentKey(`${long.slice(0, 62)}y`, 123)).not.toBe(key);
  });

  it('property: every model name and version gives a valid key, distinct across versions', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][a-z0-9-]{0,62}$/), fc.integer({ min: 1, max: 4_294_967_295 }), (model, version) => {
        const key = retrainingExperimentKey(model, version);
        expect(key).toMatch(EXPERIMENT_KEY_PATTERN);
        expect(retrainingExperimentKey(model, version + 1)).not.toBe(key);
      }),
    );
  });
});
