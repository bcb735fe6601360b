import { randomUUID } from 'node:crypto';
import type { Metadata, ServerReadableStream } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { grpcNest, inboundInputFromGrpcEvent } from '@kuroshio/contracts';
import { DomainError } from '@kuroshio/service-kit';
import { from, type Observable } from 'rxjs';
import { writeKeyFromAuthorization } from '../auth/write-key.js';
import { EventIngestor, type IngestOutcome } from '../ingest/event-ingestor.js';
import { CollectorMetrics } from '../metrics/collector-metrics.js';
import type { Source } from '../sources/source-definition.js';
import { SourceRegistry } from '../sources/source-registry.js';
import { protoRejection } from './grpc-rejections.js';

type IngestBatchRequest = grpcNest.ingest.v1.IngestBatchRequest;
type IngestBatchResponse = grpcNest.ingest.v1.IngestBatchResponse;
type IngestStreamRequest = grpcNest.ingest.v1.IngestStreamRequest;
type IngestStreamResponse = grpcNest.ingest.v1.IngestStreamResponse;
type ProtoRejection = grpcNest.ingest.v1.EventRejection;

/** Chunks of one stream waiting for Kafka before the stream is paused (HTTP/2 flow control does the rest). */
const MAX_PENDING_CHUNKS_PER_STREAM = 8;

/**
 * Rejections one stream may collect for its answer (every rejected event is listed, by contract).
 * Past this the sender is broken, and listing more would grow without bound: the stream fails.
 */
export const MAX_REJECTIONS_PER_STREAM = 10_000;

function tooManyRejections(accepted: number): DomainError {
  return new DomainError(
    'INVALID_ARGUMENT',
    `more than ${MAX_REJECTIONS_PER_STREAM} events of this stream were rejected; ${accepted} accepted so far are in Kafka, and resending them with the same messageIds is deduplicated`,
    { reason: 'too_many_rejections', details: { maxRejections: MAX_REJECTIONS_PER_STREAM, accepted } },
  );
}

/**
 * `kuroshio.ingest.v1.IngestService`: the same ingest path as HTTP, authenticated by the write key
 * in `authorization` metadata (`Basic base64(writeKey:)`, as over HTTP).
 */
@Controller()
@grpcNest.ingest.v1.IngestServiceControllerMethods()
export class IngestGrpcController implements grpcNest.ingest.v1.IngestServiceController {
  constructor(
    private readonly ingestor: EventIngestor,
    private readonly sources: SourceRegistry,
    private readonly metrics: CollectorMetrics,
  ) {}

  async ingestBatch(request: IngestBatchRequest, metadata: Metadata): Promise<IngestBatchResponse> {
    return this.#timed('IngestBatch', async () => {
      const receivedAt = new Date();
      const source = this.#authenticate(metadata);
      const outcome = await this.ingestor.ingest({
        source,
        events: request.events.map(inboundInputFromGrpcEvent),
        transport: 'grpc',
        requestId: randomUUID(),
        receivedAt,
      });
      return { acceptedCount: outcome.accepted, rejections: outcome.rejections.map(protoRejection) };
    });
  }

  /**
   * Reads the chunks from the call itself rather than from Nest's request Observable: Nest replays
   * that Observable's buffer only after a returned Promise settles (which would wait for the end of
   * the stream forever), and the call gives real backpressure (pause/resume, HTTP/2 flow control).
   * An Observable is returned so that Nest releases its own buffer at once.
   */
  ingestStream(
    _chunks: Observable<IngestStreamRequest>,
    metadata: Metadata,
    call?: ServerReadableStream<IngestStreamRequest, IngestStreamResponse>,
  ): Observable<IngestStreamResponse> {
    return from(
      this.#timed('IngestStream', () => {
        const source = this.#authenticate(metadata);
        if (call === undefined) throw new Error('gRPC call object missing: the stream cannot be read');
        return this.#consumeStream(source, call);
      }),
    );
  }

  #consumeStream(source: Source, call: ServerReadableStream<IngestStreamRequest, IngestStreamResponse>): Promise<IngestStreamResponse> {
    const requestId = randomUUID();
    // Outcomes are folded as they settle, so a long-lived stream (an IoT gateway's) holds its
    // pending chunks and its rejections, not every chunk it ever sent.
    const rejections: ProtoRejection[] = [];
    let received = 0;
    let accepted = 0;
    let pending = 0;
    let ended = false;
    return new Promise<IngestStreamResponse>((resolve, reject) => {
      let failed = false;
      const fail = (error: unknown) => {
        if (failed) return;
        failed = true;
        call.off('data', onChunk);
        reject(error);
      };
      const answerOnceDrained = () => {
        if (!ended || pending > 0 || failed) return;
        rejections.sort((a, b) => a.index - b.index);
        resolve({ receivedCount: received, acceptedCount: accepted, rejections });
      };
      const settle = (outcome: IngestOutcome) => {
        accepted += outcome.accepted;
        for (const rejection of outcome.rejections) rejections.push(protoRejection(rejection));
        if (rejections.length > MAX_REJECTIONS_PER_STREAM) return fail(tooManyRejections(accepted));
        pending -= 1;
        if (pending === MAX_PENDING_CHUNKS_PER_STREAM - 1 && !failed) call.resume();
        answerOnceDrained();
      };
      const onChunk = (chunk: IngestStreamRequest) => {
        // Everything before the Kafka wait runs synchronously, so chunks keep their order.
        const outcome = this.ingestor.ingest({
          source,
          events: chunk.events.map(inboundInputFromGrpcEvent),
          transport: 'grpc',
          requestId,
          receivedAt: new Date(),
          indexOffset: received,
        });
        received += chunk.events.length;
        pending += 1;
        if (pending === MAX_PENDING_CHUNKS_PER_STREAM) call.pause();
        outcome.then(settle, fail);
      };
      call.on('data', onChunk);
      call.once('error', fail);
      call.once('cancelled', () => fail(new Error('stream cancelled by the client')));
      call.once('end', () => {
        ended = true;
        answerOnceDrained();
      });
    });
  }

  #authenticate(metadata: Metadata): Source {
    const value = metadata.get('authorization')[0];
    return this.sources.authenticate(writeKeyFromAuthorization(typeof value === 'string' ? value : undefined));
  }

  async #timed<T>(method: string, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    let status = 'OK';
    try {
      return await run();
    } catch (error) {
      status = (error as { code?: string }).code ?? 'UNKNOWN';
      throw error;
    } finally {
      this.metrics.request('grpc', method, status, (performance.now() - started) / 1000);
    }
  }
}
