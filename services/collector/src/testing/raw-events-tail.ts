import { decodeTopicValue, TOPICS, type RawEventValue } from '@kuroshio/contracts';
import { KafkaClient, type ConsumedMessage } from '@kuroshio/kafka';
import { createLogger } from '@kuroshio/telemetry';
import { stackEndpoints, uniqueName, waitFor } from '@kuroshio/testing';

export interface ProducedRecord {
  readonly message: ConsumedMessage;
  readonly value: RawEventValue;
}

/** The records of one tenant that reached events.raw since the tail started, by messageId. */
export interface RawEventsTail {
  readonly produced: ReadonlyMap<string, ProducedRecord>;
  /** Resolves once every id is on the topic; fails after 30 s naming them. */
  waitForProduced(ids: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Reads events.raw of the local stack from its current end, keeping only `tenant`'s records: the
 * topic is shared and may hold millions of records from other runs. A record of the tenant that
 * does not decode as an events.raw value fails the consumer, and so the test waiting for it.
 */
export async function tailRawEvents(tenant: string, clientId: string): Promise<RawEventsTail> {
  const kafka = new KafkaClient({ ...stackEndpoints().kafka, clientId, logger: createLogger({ service: clientId, level: 'silent' }) });
  const groupId = uniqueName(clientId);
  await kafka.resetGroupOffsets(groupId, TOPICS.eventsRaw.name, { earliest: false });
  const consumer = kafka.consumer({ groupId, topics: [TOPICS.eventsRaw.name], fromBeginning: true });
  const produced = new Map<string, ProducedRecord>();
  await consumer.start(async (batch) => {
    for (const message of batch.messages) {
      const decoded = decodeTopicValue(TOPICS.eventsRaw, message.value);
      if (decoded.ok && decoded.value.envelope.tenant === tenant) produced.set(decoded.value.envelope.messageId, { message, value: decoded.value });
      if (!decoded.ok && message.value?.toString().includes(tenant)) throw new Error(`invalid record on events.raw: ${JSON.stringify(decoded.issues)}`);
    }
  });
  return {
    produced,
    waitForProduced: async (ids) => {
      await waitFor(() => ids.every((id) => produced.has(id)), { timeoutMs: 30_000, description: `records ${ids.join(', ')} on events.raw` });
    },
    close: async () => {
      await consumer.disconnect();
      await kafka.disconnect();
    },
  };
}
