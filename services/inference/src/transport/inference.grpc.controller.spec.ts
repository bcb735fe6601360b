import { Metadata, type ServerUnaryCall } from '@grpc/grpc-js';
import type { grpcNest } from '@kuroshio/contracts';
import { createLogger } from '@kuroshio/telemetry';
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { PredictionInput, Predictor } from '../domain/predictor.js';
import { InferenceGrpcController, STREAM_LIMITS } from './inference.grpc.controller.js';

type StreamRequest = grpcNest.inference.v1.PredictStreamRequest;
type StreamResponse = grpcNest.inference.v1.PredictStreamResponse;

const logger = createLogger({ service: 'inference-controller-test', level: 'silent' });
const call = { getDeadline: () => Number.POSITIVE_INFINITY } as unknown as ServerUnaryCall<unknown, unknown>;

/** A predictor that never answers: every request it is given stays in flight. */
class SilentPredictor {
  readonly started: PredictionInput[] = [];
  predict(input: PredictionInput): Promise<never> {
    this.started.push(input);
    return new Promise<never>(() => undefined);
  }
}

const message = (i: number): StreamRequest => ({
  request: { requestId: `s-${i}`, model: { modelName: 'bad-debt', alias: 'champion' }, instance: { entityId: `cust-${i}`, features: {} }, experimentKey: '' },
});

describe('InferenceGrpcController PredictStream', () => {
  it('holds a bounded backlog per stream: past it, requests are answered RESOURCE_EXHAUSTED at once instead of buffered', async () => {
    const predictor = new SilentPredictor();
    const controller = new InferenceGrpcController(predictor as unknown as Predictor, () => undefined, logger);
    const requests = new Subject<StreamRequest>();
    const responses: StreamResponse[] = [];
    const subscription = controller.predictStream(requests, new Metadata(), call).subscribe((response) => responses.push(response));

    const held = STREAM_LIMITS.concurrency + STREAM_LIMITS.maxWaiting;
    const sent = held + 5_000;
    for (let i = 0; i < sent; i++) requests.next(message(i));
    await new Promise((resolve) => setImmediate(resolve));

    expect(predictor.started).toHaveLength(STREAM_LIMITS.concurrency);
    expect(responses).toHaveLength(sent - held);
    expect(responses[0]).toEqual({ requestId: `s-${held}`, error: { code: 'RESOURCE_EXHAUSTED', message: expect.stringMatching(/512 requests being scored and 512 more waiting.*Wait for responses/) } });
    expect(new Set(responses.map((r) => r.error?.code))).toEqual(new Set(['RESOURCE_EXHAUSTED']));
    expect(responses.at(-1)?.requestId).toBe(`s-${sent - 1}`);
    subscription.unsubscribe();
  });

  it('scores the waiting requests in order as answers free their slots, and frees the places of a stream that goes away', async () => {
    let answer: Array<() => void> = [];
    const started: string[] = [];
    const predictor = {
      predict: (input: PredictionInput) =>
        new Promise((resolve) => {
          started.push(input.requestId);
          answer.push(() => resolve({ requestId: input.requestId, predictions: [{ modelName: 'bad-debt', modelVersion: 1, scores: [0.5], classLabels: [], experimentKey: '', variant: '', missingFeatures: [] }] }));
        }),
    };
    const controller = new InferenceGrpcController(predictor as unknown as Predictor, () => undefined, logger);
    const requests = new Subject<StreamRequest>();
    const responses: StreamResponse[] = [];
    const subscription = controller.predictStream(requests, new Metadata(), call).subscribe((response) => responses.push(response));
    const total = STREAM_LIMITS.concurrency + 3;
    for (let i = 0; i < total; i++) requests.next(message(i));
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toHaveLength(STREAM_LIMITS.concurrency);

    const first = answer.slice(0, 2);
    answer = answer.slice(2);
    first.forEach((resolve) => resolve());
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(responses.map((r) => r.requestId)).toEqual(['s-0', 's-1']);
    expect(started.slice(STREAM_LIMITS.concurrency)).toEqual([`s-${STREAM_LIMITS.concurrency}`, `s-${STREAM_LIMITS.concurrency + 1}`]);

    subscription.unsubscribe();
    answer.forEach((resolve) => resolve());
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(started).toHaveLength(STREAM_LIMITS.concurrency + 2);
  });
});
