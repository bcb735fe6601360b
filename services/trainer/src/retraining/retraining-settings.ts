import { envHostPort, envInt } from '@kuroshio/config';
import { z } from 'zod';
import { loadRetrainingPolicies, PolicyFileError } from './policy-file.js';
import type { RetrainingPolicy } from './retraining-policy.js';

export interface RetrainingSettings {
  /** gRPC address of the experiment service. */
  readonly experimentAddress: string;
  /** Policies from TRAINER_RETRAINING_POLICIES_FILE (empty without one). */
  readonly policies: readonly RetrainingPolicy[];
  /** Every this many ms a cycle runs for each policy; 0: only on request (RunRetrainingCycle). */
  readonly intervalMs: number;
}

/** TRAINER_RETRAINING_* and TRAINER_EXPERIMENT_ADDRESS; the policies file is read and checked here, at start-up. */
export function retrainingSettingsConfig() {
  return z
    .object({
      TRAINER_EXPERIMENT_ADDRESS: envHostPort().default('127.0.0.1:7107'),
      TRAINER_RETRAINING_POLICIES_FILE: z.string().default(''),
      TRAINER_RETRAINING_INTERVAL_MS: envInt({ min: 0, max: 7 * 86_400_000 }).default(0),
    })
    .superRefine((env, ctx) => {
      if (env.TRAINER_RETRAINING_INTERVAL_MS > 0 && env.TRAINER_RETRAINING_INTERVAL_MS < 1_000) {
        ctx.addIssue({ code: 'custom', path: ['TRAINER_RETRAINING_INTERVAL_MS'], message: 'must be 0 (off) or at least 1000' });
      }
      if (env.TRAINER_RETRAINING_INTERVAL_MS > 0 && env.TRAINER_RETRAINING_POLICIES_FILE === '') {
        ctx.addIssue({ code: 'custom', path: ['TRAINER_RETRAINING_POLICIES_FILE'], message: 'is required when TRAINER_RETRAINING_INTERVAL_MS schedules retraining' });
      }
    })
    .transform((env, ctx): RetrainingSettings => {
      let policies: RetrainingPolicy[] = [];
      if (env.TRAINER_RETRAINING_POLICIES_FILE !== '') {
        try {
          policies = loadRetrainingPolicies(env.TRAINER_RETRAINING_POLICIES_FILE);
        } catch (error) {
          const problems = error instanceof PolicyFileError ? error.problems : [error instanceof Error ? error.message : String(error)];
          for (const problem of problems) ctx.addIssue({ code: 'custom', path: ['TRAINER_RETRAINING_POLICIES_FILE'], message: problem });
          return z.NEVER;
        }
      }
      return { experimentAddress: env.TRAINER_EXPERIMENT_ADDRESS, policies, intervalMs: env.TRAINER_RETRAINING_INTERVAL_MS };
    });
}
