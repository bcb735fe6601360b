import { TOPICS, validateTopicValue } from '@kuroshio/contracts';
import { describe, expect, it } from 'vitest';
import { PiiTokenizer } from '../pii/index.js';
import { EVENT_SCHEMA_DIRECTORY } from '../schema-directory.js';
import { rawEventValue, rawRecord } from '../testing/raw-event-fixtures.js';
import { DedupWindow } from './dedup-window.js';
import { EventSchemas } from './event-schemas.js';
import { processBatch, type BatchProcessing } from './process-batch.js';
import type { RawRecord } from './raw-record.js';

const PII = {
  email: 'wang.xiaoming@example.com.tw',
  mobile: '0912-345-678',
  nationalId: 'A123456789',
  card: '4111 1111 1111 1111',
  name: '王小明',
  msisdn: '+886 912 000 111',
};

const schemas = await EventSchemas.load(EVENT_SCHEMA_DIRECTORY);

function processing(): BatchProcessing {
  return {
    schemas,
    scrubber: new PiiTokenizer({ key: Buffer.alloc(32, 7) }),
    dedup: new DedupWindow(1000),
    eventTime: { lateAfterMs: 86_400_000, futureToleranceMs: 300_000 },
    now: () => new Date('2026-11-27T01:00:10.000Z'),
  };
}

function batchOf(records: RawRecord[]) {
  return { topic: 'kuroshio.events.raw.v1', partition: 3, records };
}

function charge(messageId: string, extra: Record<string, unknown> = {}) {
  return rawEventValue({
    messageId,
    userId: PII.email,
    context: { channel: 'Mobile App', traits: { phone: PII.mobile } },
    properties: {
      chargeId: 'c-1',
      amount: '1,299.00',
      currency: 'twd',
      merchant: 'Game Store',
      dueDate: '2026-12-15',
      msisdn: PII.msisdn,
      note: `customer ${PII.nationalId} paid with ${PII.card}`,
    },
    ...extra,
  });
}

describe('processBatch', () => {
  it('turns a good event into a clean event: normalised, schema-checked, PII tokenised, key tokenised', () => {
    const out = processBatch(batchOf([rawRecord(charge('m-1'), { key: Buffer.from(PII.email) })]), processing());
    expect(out.rejected).toEqual([]);
    expect(out.clean).toHaveLength(1);
    const [event] = out.clean;
    const envelope = event!.value.envelope;
    expect(envelope.context.channel).toBe('app');
    // Device 2 s behind: 01:00:00 + (01:00:07 − 01:00:05).
    expect(envelope.timestamp).toBe('2026-11-27T01:00:02.000Z');
    expect(event!.value.processing).toMatchObject({ eventSchema: 'carrier_billing_charge@1', clockSkewMs: 2000, raw: { partition: 3 } });
    expect(envelope.properties).toMatchObject({ amount: 1299, currency: 'TWD', merchant: 'Game Store' });
    expect(envelope.userId).toMatch(/^tok_email_/);
    expect(event!.customerId).toBe(envelope.userId);
    expect(envelope.properties?.msisdn).toMatch(/^tok_/);
    expect(event!.value.processing.tokenizedPaths).toEqual(expect.arrayContaining(['userId', 'properties.msisdn', 'properties.note', 'context.traits.phone']));
    expect(validateTopicValue(TOPICS.eventsClean, event!.value).ok).toBe(true);
    expect(out.outcomes).toMatchObject([{ outcome: 'accepted', tenant: 'telco', source: 'app-sdk', type: 'track', event: 'Carrier Billing Charge' }]);
  });

  it('leaves PII nowhere in what it hands to the sinks, raw archive included', () => {
    const identify = rawEventValue({ messageId: 'm-2', type: 'identify', event: undefined, traits: { name: PII.name, email: PII.email, plan: 'gold' } });
    const out = processBatch(
      batchOf([
        rawRecord(charge('m-1')),
        rawRecord(identify),
        rawRecord(charge('m-3', { properties: { amount: 'lots', currency: 'TWD', note: PII.card } })),
        rawRecord(Buffer.from(`{"broken": "${PII.email}`)),
      ]),
      processing(),
    );
    expect(out.clean).toHaveLength(2);
    expect(out.rejected).toHaveLength(2);
    const everything = JSON.stringify(out, (_key, value: unknown) => (Buffer.isBuffer(value) || (value as { type?: string })?.type === 'Buffer' ? undefined : value));
    for (const value of [...Object.values(PII), '0912345678', '4111111111111111']) expect(everything).not.toContain(value);
    // The explicit-PII name is tokenised in raw/ exactly as in the clean event.
    const identifyLine = out.archived.find((entry) => entry.line.offset === out.clean[1]!.record.offset)!.line;
    const archivedTraits = (JSON.parse(identifyLine.value!) as { envelope: { traits: { name: string } } }).envelope.traits;
    expect(archivedTraits.name).toBe(out.clean[1]!.value.envelope.traits?.name);
    expect(archivedTraits.name).toMatch(/^tok_/);
  });

  it('keeps raw/ faithful to the record: the same text except for the tokens', () => {
    const value = charge('m-1');
    const out = processBatch(batchOf([rawRecord(value)]), processing());
    const archived = JSON.parse(out.archived[0]!.line.value!) as typeof value;
    expect(archived.ingest).toEqual(value.ingest);
    expect(archived.envelope.properties).toMatchObject({ amount: '1,299.00', currency: 'twd' });
    expect(archived.envelope.context).toMatchObject({ channel: 'Mobile App' });
    expect(out.archived[0]!.line).toMatchObject({ partition: 3, valueEncoding: 'utf8' });
  });

  it('dead-letters bad records with stage, code and reason, and carries on with the rest', () => {
    const missingId = rawEventValue({ messageId: undefined as unknown as string });
    const badCurrency = charge('m-5', { properties: { chargeId: 'c', amount: 1, currency: 'dollars', merchant: 'x', dueDate: '2026-12-01' } });
    const mismatch = charge('m-6', { properties: { chargeId: 'c', amount: 1, currency: 'TWD' } });
    const epoch = charge('m-8', { timestamp: '1970-01-01T00:00:00Z', sentAt: undefined });
    const out = processBatch(
      batchOf([rawRecord(Buffer.from([0xff, 0xfe])), rawRecord(Buffer.from('{not json')), rawRecord(missingId), rawRecord(badCurrency), rawRecord(mismatch), rawRecord(epoch), rawRecord(charge('m-7'))]),
      processing(),
    );
    expect(out.rejected.map((r) => [r.deadLetter.stage, r.deadLetter.errorCode])).toEqual([
      ['etl.decode', 'INVALID_JSON'],
      ['etl.decode', 'INVALID_JSON'],
      ['etl.validate', 'INVALID_ENVELOPE'],
      ['etl.normalise', 'INVALID_CURRENCY'],
      ['etl.schema', 'SCHEMA_MISMATCH'],
      ['etl.normalise', 'INVALID_TIMESTAMP'],
    ]);
    expect(out.rejected[4]!.deadLetter.reason).toContain('properties.merchant');
    expect(out.rejected[0]!.deadLetter.payload.encoding).toBe('base64');
    for (const rejected of out.rejected) expect(validateTopicValue(TOPICS.eventsDlq, rejected.deadLetter).ok, rejected.deadLetter.reason).toBe(true);
    expect(out.clean.map((event) => event.value.envelope.messageId)).toEqual(['m-7']);
    expect(out.archived).toHaveLength(7);
    expect(out.outcomes.every((outcome) => outcome.eventTime.getTime() > Date.parse('2000-01-01'))).toBe(true);
  });

  it('judges the events.raw contract as zod does: same issues for a bad envelope, same parse for a good one', () => {
    const invalid = rawEventValue({ tenant: 'Telco', userId: 42 as unknown as string, timestamp: '2025-02-29T00:00:00Z' });
    const zodVerdict = validateTopicValue(TOPICS.eventsRaw, invalid);
    const rejected = processBatch(batchOf([rawRecord(invalid)]), processing()).rejected[0]!.deadLetter;
    expect(zodVerdict.ok ? [] : zodVerdict.issues).toHaveLength(3);
    expect(rejected.issues).toEqual(zodVerdict.ok ? [] : zodVerdict.issues);

    const valid = { ...rawEventValue({ messageId: 'n-1', userId: null as unknown as string, anonymousId: 'anon-1', integrations: { All: true } }), extra: 1 };
    const zodParse = validateTopicValue(TOPICS.eventsRaw, valid);
    const accepted = processBatch(batchOf([rawRecord(valid)]), processing()).clean[0]!.value.envelope;
    if (!zodParse.ok) throw new Error('fixture must be valid');
    const { timestamp: _settled, properties: _normalised, ...untouched } = accepted;
    const { timestamp: _sent, properties: _asSent, ...expected } = zodParse.value.envelope;
    expect(JSON.stringify(untouched)).toBe(JSON.stringify(expected));
    expect(Object.keys(accepted)).toEqual(Object.keys(zodParse.value.envelope));
  });

  it('drops a messageId seen before in the batch or an earlier one, but not a redelivered record', () => {
    const shared = processing();
    const first = rawRecord(charge('m-1'));
    const out = processBatch(batchOf([first, rawRecord(charge('m-1'))]), shared);
    expect(out.outcomes.map((outcome) => outcome.outcome)).toEqual(['accepted', 'deduplicated']);
    const later = processBatch(batchOf([rawRecord(charge('m-1'))]), shared);
    expect(later.outcomes.map((outcome) => outcome.outcome)).toEqual(['deduplicated']);
    const replay = processBatch(batchOf([first]), shared);
    expect(replay.clean.map((event) => event.value)).toEqual(out.clean.map((event) => event.value));
  });

  it('accepts events without a schema, recording none, and counts late and future events', () => {
    const out = processBatch(
      batchOf([
        rawRecord(rawEventValue({ messageId: 'u-1', event: 'Brand New Thing', properties: { anything: true } })),
        rawRecord(rawEventValue({ messageId: 'u-2', event: 'Brand New Thing', timestamp: '2026-11-20T00:00:00Z', sentAt: undefined })),
      ]),
      processing(),
    );
    expect(out.clean.map((event) => event.value.processing.eventSchema)).toEqual([null, null]);
    expect(out.clean.map((event) => event.schemaVersion)).toEqual([0, 0]);
    expect(out.outcomes.map((outcome) => outcome.late)).toEqual([false, true]);
  });

  describe('raw/ and dead letters of PII after JSON escapes (a LINE text with line breaks and tabs)', () => {
    const text = '您好\n我的電話\n0912345678\n身分證\nA123456789\t卡號\t4111111111111111\n請寄到\nwang@example.com';
    const clear = ['0912345678', 'A123456789', '4111111111111111', 'wang@example.com'];
    const line = (messageId: string, envelope: Record<string, unknown> = {}) =>
      rawEventValue({ messageId, event: 'Support Chat', properties: { text }, context: { channel: 'line' }, ...envelope });
    const archivedText = (value: string | null) => (JSON.parse(value!) as { envelope: { properties: { text: string } } }).envelope.properties.text;

    it('scrubs the archived copy of a deduplicated record as the accepted one', () => {
      const out = processBatch(batchOf([rawRecord(line('d-1')), rawRecord(line('d-1'))]), processing());
      expect(out.outcomes.map((outcome) => outcome.outcome)).toEqual(['accepted', 'deduplicated']);
      const [accepted, duplicate] = out.archived.map((entry) => entry.line.value);
      for (const value of clear) expect(duplicate).not.toContain(value);
      expect(archivedText(duplicate!)).toBe(archivedText(accepted!));
      expect(archivedText(duplicate!)).toBe(out.clean[0]!.value.envelope.properties?.text);
    });

    it('scrubs a record the contract rejects, in raw/ and in the dead letter', () => {
      const out = processBatch(batchOf([rawRecord(line('v-1', { userId: 42 }))]), processing());
      expect(out.rejected[0]!.deadLetter.stage).toBe('etl.validate');
      for (const value of clear) {
        expect(out.archived[0]!.line.value).not.toContain(value);
        expect(out.rejected[0]!.deadLetter.payload.data).not.toContain(value);
      }
      expect(archivedText(out.rejected[0]!.deadLetter.payload.data)).toContain(`請寄到\n${'tok_email_'}`);
    });

    it('scrubs a record whose tokenisation failed, in raw/ and in the dead letter', () => {
      const tokenizer = new PiiTokenizer({ key: Buffer.alloc(32, 7) });
      // Fails on the envelope's own fields (as a bug in the tokenizer would), not on the whole record.
      const failing = {
        scrubText: (value: string) => tokenizer.scrubText(value),
        scrubJsonText: (value: string) => tokenizer.scrubJsonText(value),
        scrubJson: <T>(value: T, paths?: readonly string[]) => {
          if (typeof value === 'object' && value !== null && !('envelope' in value)) throw new Error('tokenizer broke');
          return tokenizer.scrubJson(value, paths);
        },
      };
      const out = processBatch(batchOf([rawRecord(line('t-1'))]), { ...processing(), scrubber: failing });
      expect(out.rejected[0]!.deadLetter.stage).toBe('etl.tokenise');
      for (const value of clear) {
        expect(out.archived[0]!.line.value).not.toContain(value);
        expect(out.rejected[0]!.deadLetter.payload.data).not.toContain(value);
      }
    });
  });

  it('tokenises a card sent as a JSON number and PII used as keys, in clean, tokenizedPaths and raw/', () => {
    const value = rawEventValue({ messageId: 'n-1', event: 'Callback', properties: { card: 4111111111111111, 'wang@example.com': { '0912345678': 'A123456789' }, amount: 1299 } });
    const out = processBatch(batchOf([rawRecord(value)]), processing());
    const event = out.clean[0]!.value;
    const everything = JSON.stringify([event, out.archived[0]!.line]);
    for (const clear of ['4111111111111111', 'wang@example.com', '0912345678', 'A123456789']) expect(everything).not.toContain(clear);
    expect(event.envelope.properties).toMatchObject({ card: expect.stringMatching(/^tok_card_/), amount: 1299 });
    expect(event.processing.tokenizedPaths).toEqual(expect.arrayContaining(['properties.card', expect.stringMatching(/^properties\.tok_email_\w+$/)]));
    expect(JSON.parse(out.archived[0]!.line.value!)).toMatchObject({ envelope: { properties: event.envelope.properties } });
  });

  it('tokenises a 19-digit card sent as a JSON number, whose digits JSON.parse would round, in clean and raw/', () => {
    const card = '6212345678901234569';
    const text = JSON.stringify(rawEventValue({ messageId: 'n-2', event: 'Callback', properties: { card: 'CARD', amount: 1299 } })).replace('"CARD"', card);
    const out = processBatch(batchOf([rawRecord(Buffer.from(text))]), processing());
    const event = out.clean[0]!.value;
    const everything = JSON.stringify([event, out.archived[0]!.line]);
    for (const clear of [card, card.slice(0, 16), String(Number(card))]) expect(everything).not.toContain(clear);
    expect(event.envelope.properties).toMatchObject({ card: expect.stringMatching(/^tok_card_/), amount: 1299 });
    expect(JSON.parse(out.archived[0]!.line.value!)).toMatchObject({ envelope: { properties: event.envelope.properties } });
  });

  it('tokenises PII in the event name, in clean, raw/ and the outcome counts, and still finds its schema', () => {
    const named = rawEventValue({ messageId: 'e-1', event: 'Callback requested 0912345678', properties: {} });
    const undecodable = rawEventValue({ messageId: 'e-2', event: 'Callback requested 0912345678', userId: 42 });
    const out = processBatch(batchOf([rawRecord(named), rawRecord(undecodable), rawRecord(charge('e-3'))]), processing());
    expect(out.clean[0]!.value.envelope.event).toMatch(/^Callback requested tok_phone_\w+$/);
    expect(JSON.stringify([out.clean, out.outcomes, out.archived.map((entry) => entry.line), out.rejected.map((r) => r.deadLetter)])).not.toContain('0912345678');
    expect(out.outcomes.map((outcome) => outcome.event)).toEqual([out.clean[0]!.value.envelope.event, out.clean[0]!.value.envelope.event, 'Carrier Billing Charge']);
    expect(out.clean[1]!.value.processing.eventSchema).toBe('carrier_billing_charge@1');
  });

  it('tokenises the traits identify marks wherever traits travel: context.traits of any event, group traits', () => {
    const traits = { name: '王小明', birthday: '1990-05-01', address: { city: '台北市', street: '松仁路100號' }, plan: 'gold' };
    const out = processBatch(
      batchOf([
        rawRecord(charge('g-1', { context: { channel: 'app', traits } })),
        rawRecord(rawEventValue({ messageId: 'g-2', event: 'No Schema Yet', properties: {}, context: { channel: 'web', traits } })),
        rawRecord(rawEventValue({ messageId: 'g-3', type: 'group', event: undefined, groupId: 'grp-1', properties: undefined, traits })),
      ]),
      processing(),
    );
    expect(out.clean).toHaveLength(3);
    const everything = JSON.stringify([out.clean.map((event) => event.value), out.archived.map((entry) => entry.line)]);
    for (const clear of ['王小明', '1990-05-01', '台北市', '松仁路100號']) expect(everything).not.toContain(clear);
    const [charged, unknown, group] = out.clean.map((event) => event.value.envelope);
    expect(charged!.context.traits).toMatchObject({ name: expect.stringMatching(/^tok_field_/), plan: 'gold' });
    expect(unknown!.context.traits).toEqual(charged!.context.traits);
    expect(group!.traits).toEqual(charged!.context.traits);
  });
});

