import { grpcNest } from '@kuroshio/contracts';
import { describe, expect, it } from 'vitest';
import { trainingPlanFromSpec } from './training-spec-mapping.js';

type Spec = grpcNest.trainer.v1.TrainingJobSpec;
const T = grpcNest.trainer.v1;

function spec(overrides: Partial<Spec> = {}): Spec {
  return {
    modelName: 'bad-debt',
    features: [{ featureView: 'billing_activity', feature: 'charge_amount_sum_30d', version: 0 }],
    labels: { rowsUri: 's3://kuroshio-lake/labels/rows.ndjson' },
    timeRange: null,
    split: null,
    modelFamily: T.ModelFamily.MODEL_FAMILY_MLP,
    hyperparameters: null,
    seed: 7,
    decisionThreshold: 0,
    quantizations: [T.Quantization.QUANTIZATION_UINT8],
    registerVersion: true,
    description: '',
    trainingSet: '',
    ...overrides,
  };
}

describe('trainingPlanFromSpec', () => {
  it('applies the family defaults, a 70/15/15 split and threshold 0.5', () => {
    const plan = trainingPlanFromSpec(spec());
    expect(plan).toMatchObject({ family: 'mlp', decisionThreshold: 0.5, quantizations: ['uint8'], split: { kind: 'fractions', validation: 0.15, test: 0.15 } });
    expect(plan.hyperparameters).toMatchObject({ hiddenUnits: [64, 32], batchSize: 256, earlyStoppingPatience: 5, classWeighting: 'none', text: null });
  });

  it('takes given hyper-parameters and a text input for the text classifier', () => {
    const plan = trainingPlanFromSpec(
      spec({
        modelFamily: T.ModelFamily.MODEL_FAMILY_TEXT_CLASSIFIER,
        hyperparameters: {
          epochs: 3,
          hiddenUnits: [16],
          classWeighting: T.ClassWeighting.CLASS_WEIGHTING_BALANCED,
          text: { feature: 'line_messages:last_text', ngramMax: 2, hashBuckets: 1024 },
        },
      }),
    );
    expect(plan.hyperparameters).toMatchObject({ epochs: 3, hiddenUnits: [16], classWeighting: 'balanced' });
    expect(plan.hyperparameters.text).toEqual({ ngramMin: 1, ngramMax: 2, buckets: 1024, feature: { featureView: 'line_messages', feature: 'last_text', version: 0 } });
  });

  it('accepts an existing training set without labels or features', () => {
    expect(trainingPlanFromSpec(spec({ labels: null, features: [], trainingSet: 'ts-01' })).trainingSet).toBe('ts-01');
  });

  it('lists every problem at once as INVALID_ARGUMENT', () => {
    try {
      trainingPlanFromSpec(spec({ modelName: 'Bad Debt', modelFamily: T.ModelFamily.MODEL_FAMILY_UNSPECIFIED, labels: null, split: { fractions: { validation: 0.6, test: 0.6 } } }));
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
      const problems = (error as { details: { problems: string[] } }).details.problems;
      expect(problems).toHaveLength(4);
    }
  });
});
