import { durationFromMs, grpcNest } from '@kuroshio/contracts';
import { DomainError } from '@kuroshio/service-kit';
import { describe, expect, it } from 'vitest';
import { metric, policyProto } from '../testing/retraining-fixtures.js';
import { POLICY_DEFAULTS, retrainingPolicyFromProto } from './retraining-policy.js';

const E = grpcNest.experiment.v1;

function problems(proto: Parameters<typeof retrainingPolicyFromProto>[0]): string[] {
  try {
    retrainingPolicyFromProto(proto);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('INVALID_ARGUMENT');
    return (error as DomainError).details['problems'] as string[];
  }
  throw new Error('expected the policy to be refused');
}

describe('retraining policy', () => {
  it('applies the defaults and forces registration and the model name on the training spec', () => {
    const base = policyProto();
    const policy = retrainingPolicyFromProto({ ...base, trainingWindow: null, triggers: { ...base.triggers!, drift: { psiThreshold: 0, window: null, minSample: 0, maxEntities: 0, includeScores: false } } });
    expect(policy.training).toMatchObject({ modelName: 'upsell', registerVersion: true });
    expect(policy.trainingWindowMs).toBe(POLICY_DEFAULTS.trainingWindowMs);
    expect(policy.triggers.drift).toEqual({ psiThreshold: 0.2, windowMs: 7 * 86_400_000, minSample: 200, maxEntities: 1_000, includeScores: false });
    expect(policy.experiment).toMatchObject({ championWeight: 50, challengerWeight: 50, owner: 'retraining' });
    expect(policy.experiment.rule).toMatchObject({
      primaryMetric: 'upgraded_7d',
      guardrailMetrics: ['complaints'],
      alpha: 0.05,
      correction: 'MULTIPLE_TESTING_CORRECTION_HOLM',
      minUnitsPerVariant: 1_000,
      minDurationMs: 0,
    });
  });

  it('lists every problem at once', () => {
    const base = policyProto();
    const found = problems({
      ...base,
      modelName: 'Bad Name',
      training: { ...base.training!, modelName: 'other', modelFamily: grpcNest.trainer.v1.ModelFamily.MODEL_FAMILY_UNSPECIFIED },
      triggers: { maxChampionAge: durationFromMs(-1), minNewLabelledRows: 0, drift: null },
      experiment: { ...base.experiment!, metrics: [metric('a', E.MetricRole.METRIC_ROLE_SECONDARY), metric('a', E.MetricRole.METRIC_ROLE_GUARDRAIL)], alpha: 0.7, minDuration: durationFromMs(86_400_000), maxDuration: durationFromMs(3_600_000) },
    });
    expect(found).toEqual([
      expect.stringContaining('model_name "Bad Name"'),
      'training.model_name "other" differs from the policy\'s model_name',
      expect.stringContaining('model_family is required'),
      'triggers.max_champion_age must be positive',
      'experiment.metrics needs exactly one PRIMARY metric, found 0',
      'experiment.metrics keys must be unique',
      'experiment.alpha must be in (0, 0.5), got 0.7',
      'experiment.max_duration is shorter than min_duration',
    ]);
  });

  it('needs at least one trigger, and an event label to count new labelled rows', () => {
    const base = policyProto();
    expect(problems({ ...base, triggers: { maxChampionAge: null, minNewLabelledRows: 0, drift: null } })).toEqual([
      'triggers: at least one of max_champion_age, min_new_labelled_rows or drift is required',
    ]);
    expect(problems({ ...base, training: { ...base.training!, labels: { eventLabel: null, rows: null, rowsUri: 's3://lake/labels.ndjson' } } })).toEqual([
      'triggers.min_new_labelled_rows needs training.labels.event_label: only event labels can be counted as they arrive',
    ]);
  });

  it('refuses a missing policy, training spec or experiment', () => {
    expect(() => retrainingPolicyFromProto(null)).toThrow(/policy: is required/);
    expect(problems({ ...policyProto(), training: null, experiment: null })).toEqual(
      expect.arrayContaining(['training (the challenger job spec) is required', 'experiment is required']),
    );
  });
});
