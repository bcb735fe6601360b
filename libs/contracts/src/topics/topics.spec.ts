import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../envelope/envelope-schema.js';
import { TOPIC_NAME_PATTERN } from '../naming.js';
import { aliasChangeKey, type AliasChangeValue } from './alias-change-value.js';
import type { CleanEventValue } from './clean-event-value.js';
import { deadLetterPayloadFromBytes, type DeadLetterValue } from './dead-letter-value.js';
import type { ExposureValue } from './exposure-value.js';
import type { PredictionValue } from './prediction-value.js';
import type { RawEventValue } from './raw-event-value.js';
import { validateTopicValue } from './topic-codec.js';
import { defineTopic, type TopicDefinition } from './topic-definition.js';
import { TOPIC_LIST, TOPICS, type TopicKey, type TopicValue } from './topics.js';

const envelope: EventEnvelope = {
  messageId: 'm-1',
  type: 'track',
  event: 'Carrier Billing Charged',
  userId: 'cust-1',
  timestamp: '2025-03-01T01:00:00.000Z',
  properties: { amount: 499 },
  context: { channel: 'web' },
  receivedAt: '2025-03-01T01:00:01.000Z',
  tenant: 'telco',
  source: 'web-sdk',
};

const raw: RawEventValue = { envelope, ingest: { transport: 'http', requestId: 'req-1', collector: 'collector-0', batchIndex: 0 } };
const clean: CleanEventValue = {
  envelope: { ...envelope, timestamp: '2025-03-01T01:00:00.000Z' },
  processing: {
    raw: { topic: TOPICS.eventsRaw.name, partition: 3, offset: '1024' },
    eventSchema: 'carrier_billing_charged@1',
    clockSkewMs: -120,
    tokenizedPaths: ['userId'],
    processedAt: '2025-03-01T01:00:02.000Z',
  },
};
const deadLetter: DeadLetterValue = {
  stage: 'etl.validate',
  errorCode: 'INVALID_ENVELOPE',
  reason: 'event: required for track',
  issues: [{ path: 'event', code: 'required', message: 'required for track' }],
  payload: deadLetterPayloadFromBytes(Buffer.from('{"type":"track"}')),
  origin: { topic: TOPICS.eventsRaw.name, partition: 0, offset: '7', key: 'cust-1' },
  tenant: 'telco',
  source: 'web-sdk',
  messageId: null,
  failedAt: '2025-03-01T01:00:02.000Z',
};
const prediction: PredictionValue = {
  requestId: 'req-9',
  entityId: 'cust-1',
  modelName: 'bad-debt',
  modelVersion: 3,
  artifact: 'full',
  experimentKey: 'bad-debt-challenger',
  variant: 'challenger',
  scores: [0.12],
  latencyMs: 1.8,
  featureVectorHash: 'a'.repeat(64),
  servedAt: '2025-03-01T01:00:03.000Z',
};
const exposure: ExposureValue = {
  experimentKey: 'bad-debt-challenger',
  variant: 'challenger',
  unitId: 'cust-1',
  revision: 2,
  recordedBy: 'inference',
  requestId: 'req-9',
  exposedAt: '2025-03-01T01:00:03.000Z',
};
const aliasChange: AliasChangeValue = {
  modelName: 'bad-debt',
  alias: 'champion',
  version: 4,
  previousVersion: 3,
  changedAt: '2025-03-02T00:00:00.000Z',
  changedBy: 'svc:trainer',
  reason: 'challenger won bad-debt-challenger',
  auditEventId: 'audit-17',
};

const examples: { [K in TopicKey]: TopicValue<K> } = {
  eventsRaw: raw,
  eventsClean: clean,
  eventsDlq: deadLetter,
  servingPredictions: prediction,
  experimentExposures: exposure,
  registryAliasChanges: aliasChange,
};

describe('TOPICS', () => {
  it('names every topic kuroshio.<area>.<name>.v<n>, with area and version taken from the name', () => {
    for (const topic of TOPIC_LIST) {
      const match = TOPIC_NAME_PATTERN.exec(topic.name);
      expect(match, topic.name).not.toBeNull();
      expect(topic.area).toBe(match?.[1]);
      expect(topic.version).toBe(Number(match?.[3]));
    }
  });

  it('lists the platform topics, each once', () => {
    expect(TOPIC_LIST.map((topic) => topic.name).sort()).toEqual([
      'kuroshio.events.clean.v1',
      'kuroshio.events.dlq.v1',
      'kuroshio.events.raw.v1',
      'kuroshio.experiment.exposures.v1',
      'kuroshio.registry.alias-changes.v1',
      'kuroshio.serving.predictions.v1',
    ]);
  });

  it('has sane Kafka settings', () => {
    for (const topic of TOPIC_LIST) {
      expect(topic.partitions).toBeGreaterThanOrEqual(1);
      expect(topic.minInSyncReplicas).toBeLessThan(topic.replicationFactor);
      expect(topic.retentionMs === -1 || topic.retentionMs >= 86_400_000).toBe(true);
    }
  });

  it('compacts alias changes and keeps them forever, and only them', () => {
    expect(TOPIC_LIST.filter((topic) => topic.cleanupPolicy === 'compact').map((topic) => topic.name)).toEqual([
      TOPICS.registryAliasChanges.name,
    ]);
    expect(TOPICS.registryAliasChanges.retentionMs).toBe(-1);
  });

  it('refuses a definition whose name breaks the convention', () => {
    expect(() => defineTopic({ ...TOPICS.eventsRaw, name: 'events-raw' })).toThrow(/kuroshio.<area>.<name>.v<n>/);
    expect(() => defineTopic({ ...TOPICS.eventsRaw, name: 'kuroshio.events.raw.v0' })).toThrow();
  });

  it.each(Object.keys(examples) as TopicKey[])('%s: accepts its example value and rejects garbage', (key) => {
    const topic: TopicDefinition<unknown, unknown> = TOPICS[key];
    expect(validateTopicValue(topic, examples[key])).toEqual({ ok: true, value: examples[key] });
    expect(validateTopicValue(topic, { ...examples[key], unexpected: 1 }).ok).toBe(true);
    expect(validateTopicValue(topic, {}).ok).toBe(false);
    expect(validateTopicValue(topic, null).ok).toBe(false);
  });

  it('runs the full envelope checks inside topic values, with paths from the record root', () => {
    const hostile = JSON.parse(JSON.stringify(raw).replace('"amount":499', '"__proto__":{"polluted":true}'));
    expect(validateTopicValue(TOPICS.eventsRaw, hostile)).toEqual({
      ok: false,
      issues: [expect.objectContaining({ path: 'envelope.properties.__proto__', code: 'forbidden_key' })],
    });
    const noEventTime = { ...clean, envelope: { ...clean.envelope, timestamp: undefined } };
    expect(validateTopicValue(TOPICS.eventsClean, noEventTime)).toMatchObject({ ok: false, issues: [{ path: 'envelope.timestamp' }] });
  });

  it('validates keys', () => {
    expect(TOPICS.registryAliasChanges.key.schema.safeParse(aliasChangeKey('bad-debt', 'champion')).success).toBe(true);
    expect(TOPICS.registryAliasChanges.key.schema.safeParse('bad-debt').success).toBe(false);
    expect(TOPICS.eventsDlq.key.schema.safeParse(null).success).toBe(true);
    expect(TOPICS.eventsRaw.key.schema.safeParse('').success).toBe(false);
  });

  it('rejects values that would be unsafe downstream', () => {
    expect(validateTopicValue(TOPICS.servingPredictions, { ...prediction, scores: [Number.NaN] }).ok).toBe(false);
    expect(validateTopicValue(TOPICS.servingPredictions, { ...prediction, modelName: "x'; DROP TABLE predictions" }).ok).toBe(false);
    expect(validateTopicValue(TOPICS.experimentExposures, { ...exposure, experimentKey: 'Robert"); --' }).ok).toBe(false);
    expect(validateTopicValue(TOPICS.eventsDlq, { ...deadLetter, errorCode: 'lower case' }).ok).toBe(false);
    expect(validateTopicValue(TOPICS.eventsClean, { ...clean, processing: { ...clean.processing, raw: { ...clean.processing.raw, offset: '-1' } } }).ok).toBe(false);
  });
});
