import type { TelecomEvent } from '@kuroshio/telecom-sim';
import { GrpcIngestSender, sendLineWebhook, sendSegmentBatch, type SendOutcome } from './collector-senders.js';
import type { PlatformEndpoints } from './platform-endpoints.js';
import type { Progress } from './progress.js';

export type IngestPath = 'segment-http' | 'line-webhook' | 'grpc';

/**
 * Which collector path a channel's event takes, as in a real telecom: LINE chats arrive by LINE's
 * webhook, the billing system sends charges and payments over gRPC, apps and web pages use the
 * Segment SDKs' HTTP batch.
 */
export function ingestPathOf(event: TelecomEvent): IngestPath {
  if (event.context.channel === 'line') return 'line-webhook';
  if (event.type === 'track' && event.event?.startsWith('Carrier Billing')) return 'grpc';
  return 'segment-http';
}

export interface IngestReport {
  readonly sent: number;
  readonly accepted: number;
  readonly rejected: readonly string[];
  readonly byPath: Readonly<Record<IngestPath, number>>;
}

const BATCH_SIZE: Record<IngestPath, number> = { 'segment-http': 200, grpc: 200, 'line-webhook': 50 };

/** Sends every event through its path, a few requests in flight, and reports what the collector acknowledged. */
export async function ingestEvents(
  endpoints: PlatformEndpoints,
  events: readonly TelecomEvent[],
  progress: Progress,
  concurrency = 4,
): Promise<IngestReport> {
  const batches: Array<{ path: IngestPath; events: TelecomEvent[] }> = [];
  const open: Partial<Record<IngestPath, TelecomEvent[]>> = {};
  const byPath: Record<IngestPath, number> = { 'segment-http': 0, 'line-webhook': 0, grpc: 0 };
  for (const event of events) {
    const path = ingestPathOf(event);
    byPath[path] += 1;
    const batch = (open[path] ??= []);
    batch.push(event);
    if (batch.length === BATCH_SIZE[path]) {
      batches.push({ path, events: batch });
      open[path] = [];
    }
  }
  for (const [path, batch] of Object.entries(open) as Array<[IngestPath, TelecomEvent[]]>) if (batch.length > 0) batches.push({ path, events: batch });

  const grpc = new GrpcIngestSender(endpoints);
  const send = (path: IngestPath, batch: TelecomEvent[]): Promise<SendOutcome> =>
    path === 'grpc' ? grpc.send(batch) : path === 'line-webhook' ? sendLineWebhook(endpoints, batch) : sendSegmentBatch(endpoints, batch);
  let accepted = 0;
  let sent = 0;
  const rejected: string[] = [];
  let next = 0;
  const task = progress.task('ingest through the collector', events.length);
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let batch = batches[next++]; batch !== undefined; batch = batches[next++]) {
          const outcome = await send(batch.path, batch.events);
          accepted += outcome.accepted;
          sent += batch.events.length;
          rejected.push(...outcome.rejected);
          task.update(sent);
        }
      }),
    );
  } finally {
    grpc.close();
  }
  task.done(`${accepted} accepted (${byPath['segment-http']} Segment HTTP, ${byPath['line-webhook']} LINE webhook, ${byPath.grpc} gRPC), ${rejected.length} rejected`);
  return { sent, accepted, rejected, byPath };
}
