import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRetrainingPolicies, PolicyFileError, policyProtoFromPlain, readRetrainingPolicyFile } from './policy-file.js';

const directory = mkdtempSync(join(tmpdir(), 'retraining-policies-'));
let files = 0;
function file(text: string): string {
  const path = join(directory, `policies-${++files}.yaml`);
  writeFileSync(path, text);
  return path;
}

const POLICY = `
policies:
  - modelName: bad-debt
    training:
      features: [{ featureView: carrier_billing_charges, feature: charge_count_30d }]
      labels:
        eventLabel: { anchorEvent: Carrier Billing Charge, outcomeEvent: Carrier Billing Payment, outcomeWindow: 30d, positiveWhen: LABEL_POLARITY_OUTCOME_ABSENT }
      modelFamily: MODEL_FAMILY_MLP
      hyperparameters: { epochs: 20, hiddenUnits: [16] }
    trainingWindow: 180d
    triggers:
      maxChampionAge: { seconds: 2592000 }
      minNewLabelledRows: 5000
      drift: { psiThreshold: 0.25, window: 12h, includeScores: true }
    experiment:
      metrics:
        - { key: paid_30d, kind: METRIC_KIND_CONVERSION, event: Carrier Billing Payment, window: 30d, role: METRIC_ROLE_PRIMARY, direction: IMPROVEMENT_DIRECTION_INCREASE }
        - { key: support_calls, kind: METRIC_KIND_COUNT, event: Support Call, window: 30d, role: METRIC_ROLE_GUARDRAIL, direction: IMPROVEMENT_DIRECTION_DECREASE }
      challengerWeight: 20
      championWeight: 80
      minUnitsPerVariant: 2000
      minDuration: 7d
`;

describe('retraining policies file', () => {
  it('reads YAML in the proto’s JSON names, durations as text or {seconds}, into the shape gRPC decodes', () => {
    const [entry] = readRetrainingPolicyFile(file(POLICY));
    const { proto, policy } = entry!;
    expect(proto.training?.labels?.eventLabel?.outcomeWindow).toEqual({ seconds: 30 * 86_400, nanos: 0 });
    expect(proto.training?.hyperparameters?.hiddenUnits).toEqual([16]);
    expect(proto.experiment?.targeting).toBeNull();
    expect(proto.experiment?.metrics[1]?.direction).toBe('IMPROVEMENT_DIRECTION_DECREASE');
    expect(policy.trainingWindowMs).toBe(180 * 86_400_000);
    expect(policy.triggers).toEqual({
      maxChampionAgeMs: 30 * 86_400_000,
      minNewLabelledRows: 5_000,
      drift: { psiThreshold: 0.25, windowMs: 12 * 3_600_000, minSample: 200, maxEntities: 1_000, includeScores: true },
    });
    expect(policy.experiment.rule).toMatchObject({ primaryMetric: 'paid_30d', guardrailMetrics: ['support_calls'], minUnitsPerVariant: 2_000, minDurationMs: 7 * 86_400_000 });
    expect([policy.experiment.championWeight, policy.experiment.challengerWeight]).toEqual([80, 20]);
  });

  it('refuses unknown (e.g. snake_case or misspelt) fields and bad durations, all at once', () => {
    const bad = POLICY.replace('minNewLabelledRows: 5000', 'min_new_labelled_rows: 5000').replace('trainingWindow: 180d', 'trainingWindow: half a year').replace('includeScores', 'includeScore');
    let problems: readonly string[] = [];
    try {
      loadRetrainingPolicies(file(bad));
    } catch (error) {
      expect(error).toBeInstanceOf(PolicyFileError);
      problems = (error as PolicyFileError).problems;
    }
    expect(problems).toEqual([
      expect.stringMatching(/policies\[0\]\.trainingWindow: "half a year" is not a duration/),
      expect.stringMatching(/policies\[0\]\.triggers\.min_new_labelled_rows: unknown field of RetrainingTriggers \(field names are camelCase\)/),
      expect.stringMatching(/policies\[0\]\.triggers\.drift\.includeScore: unknown field of DriftTrigger/),
    ]);
  });

  it('refuses a policy that does not check out, and two policies for one model', () => {
    expect(() => loadRetrainingPolicies(file(POLICY.replace('role: METRIC_ROLE_PRIMARY', 'role: METRIC_ROLE_SECONDARY')))).toThrow(/exactly one PRIMARY metric/);
    const twice = `${POLICY}\n${POLICY.split('\n').slice(2).join('\n')}`;
    expect(() => loadRetrainingPolicies(file(twice))).toThrow(/more than one policy for model bad-debt/);
    expect(() => loadRetrainingPolicies(file('models: []'))).toThrow(/top-level "policies:" list/);
    expect(() => loadRetrainingPolicies(join(directory, 'missing.yaml'))).toThrow(PolicyFileError);
  });

  it('refuses values of the wrong type', () => {
    expect(() => policyProtoFromPlain({ triggers: 'often' }, 'p')).toThrow(/p\.triggers: expected an object/);
    expect(() => policyProtoFromPlain({ experiment: { metrics: [{ role: 'METRIC_ROLE_BEST' }] } }, 'p')).toThrow(/p\.experiment\.metrics\[0\]\.role: expected one of METRIC_ROLE_UNSPECIFIED/);
    expect(() => policyProtoFromPlain({ triggers: { minNewLabelledRows: 'many', drift: { includeScores: 'yes' } } }, 'p')).toThrow(/minNewLabelledRows: expected a uint64; p\.triggers\.drift\.includeScores: expected a bool/);
  });
});
