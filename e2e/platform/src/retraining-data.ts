import { encodeTopicValue, TOPICS, type CleanEventValue } from '@kuroshio/contracts';
import { stackEndpoints } from '@kuroshio/testing';
import { Kafka, logLevel } from 'kafkajs';
import { warehouseCommand } from './ingest-warehouse.js';

// The world the retraining e2e test plants: customers who were offered a plan upgrade, their data
// usage before the offer (the feature), whether they upgraded (the label), the predictions the
// champion served, usage events on the online topic, and outcomes of experiment units. Everything is
// generated from fixed seeds and unit ids, so every run sees the same data and the same analysis.

export const DAY = 86_400_000;
export const EVENTS = { usage: 'Data Usage', offer: 'Plan Offer', upgrade: 'Plan Upgrade', complaint: 'Complaint' } as const;

/** The one feature view of the run (FEATURE_STORE_VIEWS_DIR holds only this file). */
export const FEATURE_VIEWS_YAML = `
name: rt_usage
version: 1
entity: customer
description: Mobile data the customer used in the last 30 days.
owner: e2e
source:
  events: [${EVENTS.usage}]
ttl: 365d
features:
  - name: usage_mb_sum_30d
    description: Megabytes used in the last 30 days.
    aggregation: sum
    property: mb
    window: 30d
  - name: usage_count_30d
    description: Usage records in the last 30 days.
    aggregation: count
    window: 30d
`;

interface EventRow {
  readonly customer: string;
  readonly event: string;
  readonly timeMs: number;
  readonly properties: Record<string, unknown>;
}

/** Park–Miller: a small seeded generator, so the planted population is the same in every run. */
function seeded(seed: number): () => number {
  let state = seed % 2_147_483_647 || 1;
  return () => {
    state = (state * 48_271) % 2_147_483_647;
    return state / 2_147_483_647;
  };
}

/**
 * Customers offered an upgrade at evenly spread times in [fromMs, toMs): each has a usage level L
 * (MB per record, 50–1000) and 1–4 usage records in the 30 days before the offer; they upgrade two
 * days after the offer with probability 1 / (1 + e^(−(L − 500)/150)).
 */
export async function plantOfferHistory(database: string, options: { prefix: string; customers: number; fromMs: number; toMs: number; seed: number }): Promise<void> {
  const random = seeded(options.seed);
  const rows: EventRow[] = [];
  for (let i = 0; i < options.customers; i++) {
    const customer = `${options.prefix}${i}`;
    const offerMs = options.fromMs + Math.floor((i * (options.toMs - options.fromMs)) / options.customers);
    const level = 50 + Math.floor(random() * 950);
    const records = 1 + Math.floor(random() * 4);
    for (let j = 0; j < records; j++) rows.push({ customer, event: EVENTS.usage, timeMs: offerMs - (3 + 7 * j) * DAY, properties: { mb: level } });
    rows.push({ customer, event: EVENTS.offer, timeMs: offerMs, properties: { plan: 'unlimited' } });
    if (random() < 1 / (1 + Math.exp(-(level - 500) / 150))) rows.push({ customer, event: EVENTS.upgrade, timeMs: offerMs + 2 * DAY, properties: { plan: 'unlimited' } });
  }
  await insertEvents(database, rows);
}

/** Outcome events of experiment units: `converted` upgrade once, `complainers` complain once, at `timeMs`. */
export async function plantOutcomes(database: string, outcomes: { converted: readonly string[]; complainers: readonly string[]; timeMs: number }): Promise<void> {
  await insertEvents(database, [
    ...outcomes.converted.map((customer) => ({ customer, event: EVENTS.upgrade, timeMs: outcomes.timeMs, properties: { plan: 'unlimited' } })),
    ...outcomes.complainers.map((customer) => ({ customer, event: EVENTS.complaint, timeMs: outcomes.timeMs, properties: { topic: 'speed' } })),
  ]);
}

/** `YYYY-MM-DD hh:mm:ss` in UTC: how ClickHouse reads a DateTime('UTC') in JSONEachRow. */
const dateTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/** Rows into a table of the run's database, as JSONEachRow over HTTP (values never spliced into SQL). */
async function insertRows(database: string, table: 'events' | 'predictions', rows: readonly object[]): Promise<void> {
  await warehouseCommand(database, `INSERT INTO ${table} FORMAT JSONEachRow\n${rows.map((row) => JSON.stringify(row)).join('\n')}`);
}

async function insertEvents(database: string, rows: readonly EventRow[]): Promise<void> {
  const now = dateTime(Date.now());
  await insertRows(
    database,
    'events',
    rows.map((row, i) => ({
      message_id: `rt-${row.event.replace(/\s/g, '')}-${row.customer}-${row.timeMs}-${i}`,
      tenant: 'e2e',
      source: 'e2e-retraining',
      channel: 'app',
      type: 'track',
      event: row.event,
      customer_id: row.customer,
      user_id: row.customer,
      anonymous_id: '',
      event_time: dateTime(row.timeMs),
      event_time_ms: row.timeMs,
      received_at: now,
      properties: JSON.stringify(row.properties),
      context: '{}',
      traits: '{}',
      schema_version: 1,
    })),
  );
}

/** Predictions a version served to `entities` at `servedAtMs`, as inference's warehouse sink lands them. */
export async function plantPredictions(database: string, options: { modelName: string; version: number; entities: readonly string[]; score: (i: number) => number; servedAtMs: number }): Promise<void> {
  await insertRows(
    database,
    'predictions',
    options.entities.map((entity, i) => {
      const score = options.score(i);
      return {
        request_id: `rt-request-${entity}`,
        entity_id: entity,
        model_name: options.modelName,
        model_version: options.version,
        artifact: 'full',
        experiment_key: '',
        variant: '',
        score,
        scores: [score],
        latency_ms: 3,
        feature_vector_hash: '',
        served_at: dateTime(options.servedAtMs),
        served_at_ms: options.servedAtMs,
      };
    }),
  );
}

/**
 * Usage events on the online store's topic, as the ETL publishes clean events: `records` per entity
 * in the last 30 days with `mb(i)` megabytes each.
 */
export async function publishRecentUsage(topic: string, options: { entities: readonly string[]; records: number; mb: (i: number) => number; nowMs: number }): Promise<void> {
  const producer = new Kafka({ clientId: 'kuroshio-e2e-retraining', brokers: [...stackEndpoints().kafka.brokers], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  try {
    const messages = options.entities.flatMap((entity, i) =>
      Array.from({ length: options.records }, (_, j) => {
        const timeMs = options.nowMs - (1 + 6 * j) * DAY;
        const value: CleanEventValue = {
          envelope: {
            messageId: `rt-online-${entity}-${j}`,
            type: 'track',
            event: EVENTS.usage,
            userId: entity,
            timestamp: new Date(timeMs).toISOString(),
            receivedAt: new Date(options.nowMs).toISOString(),
            context: { channel: 'app' },
            tenant: 'e2e',
            source: 'e2e-retraining',
            properties: { mb: options.mb(i) },
          },
          processing: { raw: { topic: 'e2e.raw', partition: 0, offset: String(i * options.records + j) }, eventSchema: null, clockSkewMs: 0, tokenizedPaths: [], processedAt: new Date(options.nowMs).toISOString() },
        };
        return { key: entity, value: encodeTopicValue(TOPICS.eventsClean, value) };
      }),
    );
    await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}
