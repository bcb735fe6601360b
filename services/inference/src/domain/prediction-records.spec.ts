import { decodeTopicValue, encodeTopicValue, TOPICS, type PredictionValue } from '@kuroshio/contracts';
import { describe, expect, it } from 'vitest';
import { PredictionValueEncoder, type SharedPredictionFields } from './prediction-records.js';

const HASH = 'ab'.repeat(32);
const SERVED_AT = '2026-11-27T09:30:00.123Z';
const SERVED_REQUEST = '0b6f1c4e-2a8d-4f3b-9c71-5e0d2a9b7f16';
const plain: SharedPredictionFields = { modelName: 'bad-debt', modelVersion: 3, artifact: 'full', experimentKey: null, variant: null };
const routed: SharedPredictionFields = { modelName: 'bad-debt', modelVersion: 4, artifact: 'quantized-uint8', experimentKey: 'exp-2026-limits', variant: 'treatment' };

/** The value as the predictor used to build it, field by field, for encodeTopicValue. */
function reference(requestId: string, predictionId: string, entityId: string | null, shared: SharedPredictionFields, scores: number[], latencyMs: number): PredictionValue {
  return { requestId, predictionId, entityId, modelName: shared.modelName, modelVersion: shared.modelVersion, artifact: shared.artifact, experimentKey: shared.experimentKey, variant: shared.variant, scores, latencyMs, featureVectorHash: HASH, servedAt: SERVED_AT };
}

describe('PredictionValueEncoder', () => {
  it('writes what encodeTopicValue writes, byte for byte, for Predict and PredictBatch items', () => {
    const cases: Array<[string, boolean, string | null, SharedPredictionFields, number[], number]> = [
      ['req-1', false, 'cust-1', plain, [0.25], 1.5],
      ['req-1', true, 'cust-1', plain, [0.1 + 0.2], 0.123456789],
      ['4d0f6a3e-0000-4000-8000-000000000000', true, null, routed, [1e-7, 0.5, 1], 42],
      ['quote " back \\ slash', true, 'entité "née" \u0001 \u2028', routed, [0], 0],
      ['日本語のリクエスト', false, '顧客-7', plain, [5e-324], 1e21],
    ];
    for (const [requestId, batch, entityId, shared, scores, latencyMs] of cases) {
      const encoder = new PredictionValueEncoder(requestId, batch, latencyMs, SERVED_AT, SERVED_REQUEST);
      for (const index of [0, 7, 999]) {
        const itemId = batch ? `${requestId}#${index}` : requestId;
        const expected = encodeTopicValue(TOPICS.servingPredictions, reference(itemId, `${SERVED_REQUEST}#${index}`, entityId, shared, scores, latencyMs));
        expect(encoder.encode(index, entityId, shared, scores, HASH).toString('utf8')).toBe(expected.toString('utf8'));
      }
    }
  });

  it('renders each set of shared fields for the rows that carry it (an experiment can split a request)', () => {
    const encoder = new PredictionValueEncoder('req-9', true, 3, SERVED_AT, SERVED_REQUEST);
    const values = [plain, routed, routed, plain].map((shared, i) => JSON.parse(encoder.encode(i, `cust-${i}`, shared, [i / 10], HASH).toString('utf8')) as PredictionValue);
    expect(values.map((v) => [v.requestId, v.predictionId, v.modelVersion, v.artifact, v.experimentKey, v.variant])).toEqual([
      ['req-9#0', `${SERVED_REQUEST}#0`, 3, 'full', null, null],
      ['req-9#1', `${SERVED_REQUEST}#1`, 4, 'quantized-uint8', 'exp-2026-limits', 'treatment'],
      ['req-9#2', `${SERVED_REQUEST}#2`, 4, 'quantized-uint8', 'exp-2026-limits', 'treatment'],
      ['req-9#3', `${SERVED_REQUEST}#3`, 3, 'full', null, null],
    ]);
  });

  it('gives values the topic accepts, and a non-finite score the same null JSON.stringify gives (which the topic refuses)', () => {
    const encoder = new PredictionValueEncoder('req-2', false, 0.5, SERVED_AT, SERVED_REQUEST);
    expect(decodeTopicValue(TOPICS.servingPredictions, encoder.encode(0, 'cust-2', plain, [0.75], HASH))).toMatchObject({ ok: true, value: { requestId: 'req-2', scores: [0.75] } });
    const nan = encoder.encode(0, 'cust-2', plain, [Number.NaN], HASH);
    expect(nan.toString('utf8')).toBe(encodeTopicValue(TOPICS.servingPredictions, reference('req-2', `${SERVED_REQUEST}#0`, 'cust-2', plain, [Number.NaN], 0.5)).toString('utf8'));
    expect(decodeTopicValue(TOPICS.servingPredictions, nan).ok).toBe(false);
  });
});
