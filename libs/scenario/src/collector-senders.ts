import { createHmac } from 'node:crypto';
import { credentials, Metadata } from '@grpc/grpc-js';
import { grpcJs, timestampFromDate } from '@kuroshio/contracts';
import type { TelecomEvent } from '@kuroshio/telecom-sim';
import type { PlatformEndpoints } from './platform-endpoints.js';

/** What the collector said about one request: how many events it accepted and why it refused others. */
export interface SendOutcome {
  readonly accepted: number;
  readonly rejected: readonly string[];
}

const basicAuth = (writeKey: string) => `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;

/** Retries 429 and 503 after the collector's Retry-After: backpressure, not failure. */
async function postWithBackpressure(url: string, body: string, headers: Record<string, string>): Promise<Response> {
  for (let attempt = 0; ; attempt += 1) {
    const response = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
    if ((response.status !== 429 && response.status !== 503) || attempt >= 30) return response;
    await response.arrayBuffer();
    const seconds = Number(response.headers.get('retry-after') ?? '1');
    await new Promise((resolve) => setTimeout(resolve, Math.min(10, Number.isFinite(seconds) ? seconds : 1) * 1000));
  }
}

/** Segment `/v1/batch`, as analytics SDKs send it. */
export async function sendSegmentBatch(endpoints: PlatformEndpoints, events: readonly TelecomEvent[]): Promise<SendOutcome> {
  const response = await postWithBackpressure(`${endpoints.collectorHttp}/v1/batch`, JSON.stringify({ batch: events, sentAt: new Date().toISOString() }), {
    authorization: basicAuth(endpoints.writeKey),
  });
  return ingestReply(response, '/v1/batch');
}

interface IngestReplyBody {
  readonly accepted: number;
  readonly rejected: ReadonlyArray<{ readonly index: number; readonly reason: string }>;
}

async function ingestReply(response: Response, route: string): Promise<SendOutcome> {
  const text = await response.text();
  if (!response.ok) throw new Error(`collector answered ${response.status} to ${route}: ${text.slice(0, 500)}`);
  const reply = JSON.parse(text) as IngestReplyBody;
  return { accepted: reply.accepted, rejected: reply.rejected.map((item) => `#${item.index}: ${item.reason}`) };
}

/** A LINE Messaging API webhook delivery, signed with the channel secret as LINE signs it. */
export async function sendLineWebhook(endpoints: PlatformEndpoints, events: readonly TelecomEvent[]): Promise<SendOutcome> {
  const body = JSON.stringify({
    destination: 'Ukuroshio-demo-bot',
    events: events.map((event) => ({
      type: 'message',
      mode: 'active',
      timestamp: Date.parse(event.timestamp),
      webhookEventId: event.messageId,
      deliveryContext: { isRedelivery: false },
      source: { type: 'user', userId: event.userId },
      message: { type: 'text', id: event.messageId.replace(/-/g, '').slice(0, 18), text: String(event.properties?.['text'] ?? '') },
    })),
  });
  const signature = createHmac('sha256', endpoints.lineChannelSecret).update(body).digest('base64');
  const response = await postWithBackpressure(`${endpoints.collectorHttp}/v1/line/${endpoints.lineSource}`, body, { 'x-line-signature': signature });
  return ingestReply(response, 'the LINE webhook');
}

/** gRPC `IngestService.IngestBatch`, as an internal billing system would send its charges and payments. */
export class GrpcIngestSender {
  private readonly client;

  constructor(private readonly endpoints: PlatformEndpoints) {
    this.client = new grpcJs.ingest.v1.IngestServiceClient(endpoints.collectorGrpc, credentials.createInsecure());
  }

  async send(events: readonly TelecomEvent[]): Promise<SendOutcome> {
    const { Event, EventType, Channel } = grpcJs.ingest.v1;
    const request = {
      events: events.map((event) =>
        Event.fromPartial({
          messageId: event.messageId,
          type: EventType.EVENT_TYPE_TRACK,
          event: event.event ?? '',
          userId: event.userId,
          timestamp: timestampFromDate(new Date(event.timestamp)),
          channel: event.context.channel === 'web' ? Channel.CHANNEL_WEB : Channel.CHANNEL_APP,
          properties: event.properties ?? {},
        }),
      ),
    };
    const metadata = new Metadata();
    metadata.set('authorization', basicAuth(this.endpoints.writeKey));
    for (let attempt = 0; ; attempt += 1) {
      try {
        const reply = await new Promise<grpcJs.ingest.v1.IngestBatchResponse>((resolve, reject) =>
          this.client.ingestBatch(request, metadata, { deadline: Date.now() + 30_000 }, (error, response) => (error ? reject(error) : resolve(response))),
        );
        return { accepted: reply.acceptedCount, rejected: reply.rejections.map((rejection) => rejection.reason) };
      } catch (error) {
        // UNAVAILABLE / RESOURCE_EXHAUSTED: the collector asks us to come back.
        const code = (error as { code?: number }).code;
        if ((code !== 14 && code !== 8) || attempt >= 30) throw error;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  close(): void {
    this.client.close();
  }
}
