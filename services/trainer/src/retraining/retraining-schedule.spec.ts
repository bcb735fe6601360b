import { createLogger } from '@kuroshio/telemetry';
import { waitFor } from '@kuroshio/testing';
import { describe, expect, it } from 'vitest';
import { policyProto } from '../testing/retraining-fixtures.js';
import { retrainingPolicyFromProto, type RetrainingPolicy } from './retraining-policy.js';
import type { RetrainingRun } from './retraining-runner.js';
import { RetrainingSchedule } from './retraining-schedule.js';

const logger = createLogger({ service: 'retraining-schedule-test', level: 'silent' });
const policies = [retrainingPolicyFromProto(policyProto({ modelName: 'first' })), retrainingPolicyFromProto(policyProto({ modelName: 'second' }))];

describe('retraining schedule', () => {
  it('runs every policy each round, one at a time, carries on after a failed run, and stop waits for the round', async () => {
    const calls: string[] = [];
    let active = 0;
    let overlapped = false;
    const run = async (policy: RetrainingPolicy) => {
      overlapped ||= active > 0;
      active++;
      calls.push(policy.modelName);
      await new Promise((resolve) => setTimeout(resolve, 5));
      active--;
      if (policy.modelName === 'first') throw new Error('registry down');
      return { modelName: policy.modelName } as RetrainingRun;
    };
    const schedule = new RetrainingSchedule(policies, run, 10, logger);
    schedule.start();
    await waitFor(() => calls.length >= 4, { timeoutMs: 5_000 });
    await schedule.stop();
    const after = calls.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls.length).toBe(after);
    expect(calls.slice(0, 4)).toEqual(['first', 'second', 'first', 'second']);
    expect(overlapped).toBe(false);
  });

  it('does nothing without an interval or without policies', async () => {
    const calls: string[] = [];
    const run = async (policy: RetrainingPolicy) => {
      calls.push(policy.modelName);
      return {} as RetrainingRun;
    };
    for (const schedule of [new RetrainingSchedule(policies, run, 0, logger), new RetrainingSchedule([], run, 10, logger)]) {
      schedule.start();
      await new Promise((resolve) => setTimeout(resolve, 40));
      await schedule.stop();
    }
    expect(calls).toEqual([]);
  });
});
