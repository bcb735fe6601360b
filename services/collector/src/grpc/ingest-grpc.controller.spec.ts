import { EventEmitter } from 'node:events';
import { Metadata, type ServerReadableStream } from '@grpc/grpc-js';
import { grpcJs, type grpcNest } from '@kuroshio/contracts';
import { DomainError } from '@kuroshio/service-kit';
import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { EventIngestor, IngestOutcome, IngestRequest } from '../ingest/event-ingestor.js';
import { CollectorMetrics } from '../metrics/collector-metrics.js';
import { SourceRegistry } from '../sources/source-registry.js';
import { testSource } from '../testing/test-sources.js';
import { IngestGrpcController, MAX_REJECTIONS_PER_STREAM } from './ingest-grpc.controller.js';

type StreamRequest = grpcNest.ingest.v1.IngestStreamRequest;
type StreamResponse = grpcNest.ingest.v1.IngestStreamResponse;

/** Rejects every event whose userId is "bad", accepts the rest, answering in reverse order of arrival. */
class FakeIngestor {
  readonly settled: Array<() => void> = [];

  ingest(request: IngestRequest): Promise<IngestOutcome> {
    const offset = request.indexOffset ?? 0;
    const events = request.events as ReadonlyArray<{ userId?: string; messageId: string }>;
    const rejections = events.flatMap((event, i) =>
      event.userId === 'bad' ? [{ index: offset + i, messageId: event.messageId, code: 'invalid_envelope' as const, reason: 'bad user', issues: [] }] : [],
    );
    return new Promise((resolve) => this.settled.push(() => resolve({ accepted: request.events.length - rejections.length, rejections })));
  }

  settleAll(): void {
    for (const settle of this.settled.splice(0).reverse()) settle();
  }
}

function fakeCall(): ServerReadableStream<StreamRequest, StreamResponse> {
  return Object.assign(new EventEmitter(), { pause: () => undefined, resume: () => undefined }) as unknown as ServerReadableStream<StreamRequest, StreamResponse>;
}

function chunk(users: string[], from: number): StreamRequest {
  return { events: users.map((userId, i) => grpcJs.ingest.v1.Event.fromPartial({ messageId: `m-${from + i}`, type: grpcJs.ingest.v1.EventType.EVENT_TYPE_TRACK, event: 'e', userId })) };
}

function setUp() {
  const source = testSource({ writeKey: 'key-web' });
  const ingestor = new FakeIngestor();
  const controller = new IngestGrpcController(ingestor as unknown as EventIngestor, new SourceRegistry([source]), new CollectorMetrics());
  const metadata = new Metadata();
  metadata.set('authorization', `Basic ${Buffer.from('key-web:').toString('base64')}`);
  const call = fakeCall();
  const answer = firstValueFrom(controller.ingestStream(undefined as never, metadata, call));
  return { ingestor, call, answer };
}

describe('IngestGrpcController.ingestStream', () => {
  it('answers once every chunk has settled, with counts and the rejections in index order', async () => {
    const { ingestor, call, answer } = setUp();
    call.emit('data', chunk(['a', 'bad', 'b'], 0));
    call.emit('data', chunk(['bad', 'c'], 3));
    call.emit('end');
    await Promise.resolve();
    ingestor.settleAll();
    const response = await answer;
    expect({ received: response.receivedCount, accepted: response.acceptedCount }).toEqual({ received: 5, accepted: 3 });
    expect(response.rejections.map((rejection) => rejection.index)).toEqual([1, 3]);
  });

  it('fails a stream whose rejections pass the bound instead of collecting them without end', async () => {
    const { ingestor, call, answer } = setUp();
    const bad = Array.from({ length: 1_000 }, () => 'bad');
    for (let i = 0; i <= MAX_REJECTIONS_PER_STREAM / 1_000; i++) {
      call.emit('data', chunk(bad, i * 1_000));
      ingestor.settleAll();
      await Promise.resolve();
    }
    const error = await answer.then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).reason).toBe('too_many_rejections');
  });
});
