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

  it('leaves the embargo to the label unless the split gives one, zero included', () => {
    expect(trainingPlanFromSpec(spec()).split).not.toHaveProperty('embargoMs');
    const fractions = { validation: 0.2, test: 0.1 };
    expect(trainingPlanFromSpec(spec({ split: { fractions, embargo: { seconds: 7 * 86_400, nanos: 0 } } })).split).toEqual({ kind: 'fractions', ...fractions, embargoMs: 7 * 86_400_000 });
    expect(trainingPlanFromSpec(spec({ split: { fractions, embargo: { seconds: 0, nanos: 0 } } })).split).toEqual({ kind: 'fractions', ...fractions, embargoMs: 0 });
    expect(() => trainingPlanFromSpec(spec({ split: { embargo: { seconds: -1, nanos: 0 } } }))).toThrow(/split.embargo/);
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

  it('rejects a batch whose dense input would exceed the cap on values per batch, as INVALID_ARGUMENT', () => {
    const text = (batchSize: number, features: Spec['features']) =>
      spec({ modelFamily: T.ModelFamily.MODEL_FAMILY_TEXT_CLASSIFIER, features, hyperparameters: { batchSize, hiddenUnits: [], classWeighting: T.ClassWeighting.CLASS_WEIGHTING_UNSPECIFIED, text: { feature: 'line_messages:last_text', hashBuckets: 1 << 20 } } });
    // 65,536 rows × 2^20 hashed buckets (+1 named feature) would be 256 GiB of float32.
    expect(() => trainingPlanFromSpec(text(65_536, [{ featureView: 'line_messages', feature: 'last_text', version: 0 }]))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/batch_size 65536 × input width 1048577 = 68719542272 values per batch exceeds the cap of 67108864/) }),
    );
    // At the cap exactly: 64 × 2^20.
    expect(trainingPlanFromSpec({ ...text(64, []), trainingSet: 'ts-01', labels: null }).hyperparameters.batchSize).toBe(64);
    expect(() => trainingPlanFromSpec(text(64, [{ featureView: 'line_messages', feature: 'last_text', version: 0 }]))).toThrow(/exceeds the cap/);
    // Tabular features are narrow: the largest batch is fine.
    expect(trainingPlanFromSpec(spec({ hyperparameters: { batchSize: 65_536, hiddenUnits: [], classWeighting: T.ClassWeighting.CLASS_WEIGHTING_UNSPECIFIED } })).hyperparameters.batchSize).toBe(65_536);
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
