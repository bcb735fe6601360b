import { describe, expect, it } from 'vitest';
import { DedupWindow } from '../domain/dedup-window.js';
import { EventSchemas } from '../domain/event-schemas.js';
import { processBatch } from '../domain/process-batch.js';
import { PiiTokenizer } from '../pii/index.js';
import { EVENT_SCHEMA_DIRECTORY } from '../schema-directory.js';
import { rawEventValue, rawRecord } from '../testing/raw-event-fixtures.js';
import { TopicWriter, type TopicProducer } from './topic-writer.js';

const schemas = await EventSchemas.load(EVENT_SCHEMA_DIRECTORY);

describe('TopicWriter', () => {
  it('splits a large batch into sends that stay under the broker message size, in order', async () => {
    const sends: Array<{ topic: string; bytes: number; messageIds: string[] }> = [];
    const producer: TopicProducer = {
      send: async (topic, messages) => {
        sends.push({
          topic,
          bytes: messages.reduce((sum, m) => sum + m.value.length, 0),
          messageIds: messages.map((m) => (JSON.parse(m.value.toString()) as { envelope: { messageId: string } }).envelope.messageId),
        });
      },
    };
    const records = Array.from({ length: 3000 }, (_, i) =>
      rawRecord(rawEventValue({ messageId: `m-${i}`, event: 'Free Form', properties: { note: 'x'.repeat(300) } }), { offset: String(i), headers: {} }),
    );
    const processed = processBatch(
      { topic: 't', partition: 0, records },
      { schemas, scrubber: new PiiTokenizer({ key: Buffer.alloc(32, 1) }), dedup: new DedupWindow(10_000), eventTime: { lateAfterMs: 86_400_000, futureToleranceMs: 300_000 }, now: () => new Date('2026-11-27T03:00:00Z') },
    );
    await new TopicWriter(producer, { clean: 'clean', dlq: 'dlq' }).writeBatch(processed);
    expect(sends.length).toBeGreaterThan(2);
    expect(Math.max(...sends.map((s) => s.bytes))).toBeLessThanOrEqual(512 * 1024);
    expect(sends.flatMap((s) => s.messageIds)).toEqual(records.map((_, i) => `m-${i}`));
  });
});
