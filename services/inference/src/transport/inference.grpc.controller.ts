import type { Metadata, ServerUnaryCall } from '@grpc/grpc-js';
import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod, GrpcStreamMethod } from '@nestjs/microservices';
import type { grpcNest } from '@kuroshio/contracts';
import { DomainError, SERVICE_LOGGER } from '@kuroshio/service-kit';
import type { Logger } from '@kuroshio/telemetry';
import { catchError, finalize, from, map, mergeMap, of, throwError, type Observable } from 'rxjs';
import { inferenceError, invalidArgument, resourceExhausted } from '../domain/inference-errors.js';
import { modelTargetOf } from '../domain/model-selector.js';
import type { InstanceInput, PredictionInput, PredictionOutput, Predictor } from '../domain/predictor.js';
import { inferenceMetrics } from '../inference-metrics.js';
import { CALLER_AUTHENTICATION, PREDICTOR, type CallerAuthentication } from '../inference-tokens.js';
import { tracedPrediction } from './prediction-span.js';
import { StreamBacklog } from './stream-backlog.js';

type PredictRequest = grpcNest.inference.v1.PredictRequest;
type PredictResponse = grpcNest.inference.v1.PredictResponse;
type PredictBatchRequest = grpcNest.inference.v1.PredictBatchRequest;
type PredictBatchResponse = grpcNest.inference.v1.PredictBatchResponse;
type StreamRequest = grpcNest.inference.v1.PredictStreamRequest;
type StreamResponse = grpcNest.inference.v1.PredictStreamResponse;

/** Without a caller deadline a request still ends: 30 s, like the platform's other clients. */
const DEFAULT_DEADLINE_MS = 30_000;
/**
 * Requests of one stream scored at once, and held beyond those. Nest reads a stream's messages as
 * they arrive and never pauses the call, so gRPC flow control does not hold a sender back; past
 * both, a request is answered RESOURCE_EXHAUSTED at once (stream-backlog.ts).
 */
export const STREAM_LIMITS = { concurrency: 512, maxWaiting: 512 } as const;

/**
 * `InferenceService` over gRPC: authenticates, decodes and checks the request shape, calls the
 * predictor, maps the result. Errors are DomainErrors mapped to gRPC statuses by the service kit;
 * on a stream a failed request gets an error response and the stream goes on.
 */
@Controller()
export class InferenceGrpcController {
  constructor(
    @Inject(PREDICTOR) private readonly predictor: Predictor,
    @Inject(CALLER_AUTHENTICATION) private readonly authenticate: CallerAuthentication,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  @GrpcMethod('InferenceService', 'Predict')
  async predict(request: PredictRequest, metadata: Metadata, call: ServerUnaryCall<unknown, unknown>): Promise<PredictResponse> {
    return this.#observed('Predict', async () => {
      this.authenticate(metadata);
      const result = await this.#predictOne(request, deadlineOf(call));
      return { requestId: result.requestId, prediction: result.prediction };
    });
  }

  @GrpcMethod('InferenceService', 'PredictBatch')
  async predictBatch(request: PredictBatchRequest, metadata: Metadata, call: ServerUnaryCall<unknown, unknown>): Promise<PredictBatchResponse> {
    return this.#observed('PredictBatch', async () => {
      this.authenticate(metadata);
      const result = await this.#predict({
        target: modelTargetOf(request.model),
        instances: request.instances.map(instanceInput),
        requestId: request.requestId,
        experimentKey: request.experimentKey,
        deadlineMs: deadlineOf(call),
        batch: true,
      });
      return { requestId: result.requestId, predictions: result.predictions.map(predictionProto) };
    });
  }

  @GrpcStreamMethod('InferenceService', 'PredictStream')
  predictStream(requests: Observable<StreamRequest>, metadata: Metadata, call: ServerUnaryCall<unknown, unknown>): Observable<StreamResponse> {
    try {
      this.authenticate(metadata);
    } catch (error) {
      inferenceMetrics.requests.inc({ method: 'PredictStream', code: error instanceof DomainError ? error.code : 'INTERNAL' });
      return throwError(() => error);
    }
    const streamDeadline = deadlineOf(call, Number.POSITIVE_INFINITY);
    const backlog = new StreamBacklog(STREAM_LIMITS);
    return requests.pipe(
      mergeMap((message) => {
        const requestId = message.request?.requestId ?? '';
        if (message.request === null || message.request === undefined || requestId === '') {
          inferenceMetrics.requests.inc({ method: 'PredictStream', code: 'INVALID_ARGUMENT' });
          return of(streamError(requestId, invalidArgument('request_id_required', 'each stream request needs request.request_id, to match its response')));
        }
        const ticket = backlog.enter();
        if (ticket === undefined) {
          inferenceMetrics.requests.inc({ method: 'PredictStream', code: 'RESOURCE_EXHAUSTED' });
          return of(streamError(requestId, streamBacklogFull()));
        }
        const request = message.request;
        return from(ticket.started).pipe(
          mergeMap(() => this.#observed('PredictStream', () => this.#predictOne(request, Math.min(streamDeadline, Date.now() + DEFAULT_DEADLINE_MS)))),
          map((result): StreamResponse => ({ requestId: result.requestId, prediction: result.prediction })),
          catchError((error: unknown) => of(streamError(requestId, error))),
          // Answered, failed, or the stream went away while it waited: the place is freed either way.
          finalize(() => ticket.leave()),
        );
      }),
    );
  }

  async #predictOne(request: PredictRequest, deadlineMs: number): Promise<{ requestId: string; prediction: grpcNest.inference.v1.Prediction }> {
    if (request.instance === null || request.instance === undefined) throw invalidArgument('no_instances', 'instance is required');
    const result = await this.#predict({
      target: modelTargetOf(request.model),
      instances: [instanceInput(request.instance)],
      requestId: request.requestId,
      experimentKey: request.experimentKey,
      deadlineMs,
      batch: false,
    });
    return { requestId: result.requestId, prediction: predictionProto(result.predictions[0] as PredictionOutput) };
  }

  #predict(input: PredictionInput): ReturnType<Predictor['predict']> {
    return tracedPrediction(input, () => this.predictor.predict(input));
  }

  async #observed<T>(method: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await work();
      inferenceMetrics.requests.inc({ method, code: 'OK' });
      return result;
    } catch (error) {
      const coded = error instanceof DomainError ? error : internal(error, this.logger);
      // A coded INTERNAL (a non-finite score) is answered as it is, but the operators must see it too.
      if (coded === error && coded.code === 'INTERNAL') this.logger.error({ err: error }, coded.message);
      inferenceMetrics.requests.inc({ method, code: coded.code });
      throw coded;
    } finally {
      inferenceMetrics.requestSeconds.observe({ method }, (performance.now() - started) / 1000);
    }
  }
}

function internal(error: unknown, logger: Logger): DomainError {
  logger.error({ err: error }, 'prediction failed unexpectedly');
  return inferenceError('INTERNAL', 'internal', 'the prediction failed inside the service; it has been logged');
}

function deadlineOf(call: ServerUnaryCall<unknown, unknown> | undefined, fallback = Date.now() + DEFAULT_DEADLINE_MS): number {
  const deadline = call?.getDeadline?.();
  const ms = deadline instanceof Date ? deadline.getTime() : typeof deadline === 'number' ? deadline : Number.POSITIVE_INFINITY;
  return Number.isFinite(ms) ? ms : fallback;
}

function instanceInput(instance: grpcNest.inference.v1.Instance): InstanceInput {
  // The loader fills both (defaults: true): the decoded instance is used as it is, no copy per row.
  if (typeof instance.entityId === 'string' && instance.features !== null && typeof instance.features === 'object') return instance;
  return { entityId: instance.entityId ?? '', features: instance.features ?? {} };
}

/** A prediction has the message's shape already: handed to the serializer as it is. */
function predictionProto(output: PredictionOutput): grpcNest.inference.v1.Prediction {
  return output;
}

function streamBacklogFull() {
  const { concurrency, maxWaiting } = STREAM_LIMITS;
  return resourceExhausted(
    'stream_backlog_full',
    `this stream has ${concurrency} requests being scored and ${maxWaiting} more waiting; the request was not scored. Wait for responses before sending more (or open another stream)`,
    { concurrency, maxWaiting },
  );
}

function streamError(requestId: string, error: unknown): StreamResponse {
  const coded = error instanceof DomainError ? error : inferenceError('INTERNAL', 'internal', 'the prediction failed inside the service');
  return { requestId, error: { code: coded.code, message: coded.message } };
}
