import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@kuroshio/config';
import { describe, expect, it } from 'vitest';
import { retrainingSettingsConfig } from './retraining-settings.js';

const directory = mkdtempSync(join(tmpdir(), 'retraining-settings-'));

describe('retraining settings', () => {
  it('defaults to no policies and no schedule', () => {
    expect(loadConfig(retrainingSettingsConfig(), {})).toEqual({ experimentAddress: '127.0.0.1:7107', policies: [], intervalMs: 0 });
  });

  it('fails start-up listing every problem of the policies file under its variable', () => {
    const file = join(directory, 'bad.yaml');
    writeFileSync(file, 'policies:\n  - modelName: Upsell\n    triggers: { minNewLabeledRows: 5 }\n');
    let error: unknown;
    try {
      loadConfig(retrainingSettingsConfig(), { TRAINER_RETRAINING_POLICIES_FILE: file });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const [problem] = (error as ConfigError).problems;
    expect(problem!.key).toBe('TRAINER_RETRAINING_POLICIES_FILE');
    expect(problem!.reasons).toEqual([expect.stringContaining('policies[0].triggers.minNewLabeledRows: unknown field of RetrainingTriggers')]);
  });

  it('needs a policies file for a schedule, and a schedule of at least a second', () => {
    expect(() => loadConfig(retrainingSettingsConfig(), { TRAINER_RETRAINING_INTERVAL_MS: '60000' })).toThrow(/TRAINER_RETRAINING_POLICIES_FILE: is required when TRAINER_RETRAINING_INTERVAL_MS schedules retraining/);
    expect(() => loadConfig(retrainingSettingsConfig(), { TRAINER_RETRAINING_INTERVAL_MS: '10' })).toThrow(/TRAINER_RETRAINING_INTERVAL_MS: must be 0 \(off\) or at least 1000/);
  });
});
