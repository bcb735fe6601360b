import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHANNELS, EVENT_TYPES } from '../envelope/envelope-fields.js';
import { ENVELOPE_LIMITS, FORBIDDEN_KEYS } from '../envelope/envelope-limits.js';
import { INGEST_TRANSPORTS } from './raw-event-value.js';
import { rawEventValueOnFastPath, validateRawEventValue } from './raw-event-value-check.js';
import { validateTopicValue } from './topic-codec.js';
import { TOPICS } from './topics.js';

// The compiled events.raw check against the zod contract it is generated from: whenever the fast
// path accepts a value, zod accepts it and parses it to the same value (same keys, same key order,
// same undefineds); validateRawEventValue gives exactly zod's result, issues included.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Value = Record<string, unknown>;

const key = fc.string({ minLength: 1, maxLength: 10 }).filter((k) => !FORBIDDEN_KEYS.has(k));
const text = fc.string({ maxLength: 30, unit: 'grapheme' });
const { json } = fc.letrec<{ json: Json }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    text,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('json'), { maxLength: 3 }),
    fc.dictionary(key, tie('json'), { maxKeys: 3 }),
  ),
}));
const id = fc.oneof(fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }), fc.constantFrom('a'.repeat(256), '😀'.repeat(256), '\uD83D'.repeat(256)));
const instant = fc
  .tuple(fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), fc.constantFrom('Z', '+00:00', '+09:00', '-05:30'), fc.boolean())
  .map(([date, offset, millis]) => {
    const iso = date.toISOString();
    return (millis ? iso.slice(0, -1) : iso.slice(0, 19)) + offset;
  });
const slug = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}$/);
const orNull = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary }, { weight: 1, arbitrary: fc.constant(null) });

const envelope: fc.Arbitrary<Value> = fc
  .tuple(
    fc.constantFrom(...EVENT_TYPES),
    id,
    fc.record(
      {
        event: orNull(id),
        userId: orNull(id),
        anonymousId: orNull(id),
        timestamp: orNull(instant),
        sentAt: orNull(instant),
        properties: orNull(fc.dictionary(key, json, { maxKeys: 5 })),
        traits: orNull(fc.dictionary(key, json, { maxKeys: 5 })),
        groupId: orNull(id),
        previousId: orNull(id),
        name: orNull(id),
        category: orNull(id),
        integrations: json,
        writeKey: text,
      },
      { requiredKeys: [] },
    ),
    fc.tuple(fc.constantFrom(...CHANNELS), fc.dictionary(key.filter((k) => k !== 'channel'), json, { maxKeys: 4 }), fc.boolean()),
    fc.tuple(slug, slug, instant, id),
  )
  .map(([type, messageId, fields, [channel, contextExtra, channelLast], [tenant, source, receivedAt, someId]]) => {
    const value: Value = { ...fields, type, messageId, tenant, source, receivedAt };
    const missing = (field: string) => value[field] === undefined || value[field] === null;
    if (type === 'track' && missing('event')) value['event'] = someId;
    if (type === 'group' && missing('groupId')) value['groupId'] = someId;
    if (type === 'alias' && missing('previousId')) value['previousId'] = someId;
    if (type === 'alias' && missing('userId')) value['userId'] = someId;
    if (missing('userId') && missing('anonymousId')) value['anonymousId'] = someId;
    value['context'] = channelLast ? { ...contextExtra, channel } : { channel, ...contextExtra };
    return value;
  });

const ingest: fc.Arbitrary<Value> = fc.record(
  {
    transport: fc.constantFrom(...INGEST_TRANSPORTS),
    requestId: fc.string({ minLength: 1, maxLength: 128 }),
    collector: fc.string({ minLength: 1, maxLength: 64 }),
    batchIndex: fc.nat(),
    extra: json,
  },
  { requiredKeys: ['transport', 'requestId', 'collector', 'batchIndex'] },
);

const rawValue: fc.Arbitrary<Value> = fc
  .tuple(envelope, ingest, fc.option(json, { nil: undefined }))
  .map(([env, ing, extra]) => (extra === undefined ? { envelope: env, ingest: ing } : { ingest: ing, extra, envelope: env }));

// Values a field may be given by a mutation: near every bound and format edge the contract has.
const oddValue = fc.oneof(
  json,
  fc.constantFrom<unknown>(
    '',
    'a'.repeat(ENVELOPE_LIMITS.maxIdLength + 1),
    '😀'.repeat(ENVELOPE_LIMITS.maxIdLength + 1),
    '\uDE00'.repeat(ENVELOPE_LIMITS.maxIdLength + 1),
    'x'.repeat(ENVELOPE_LIMITS.maxStringLength + 1),
    'Telco',
    '-telco',
    'telco!',
    'tel co',
    '2025-02-29T00:00:00Z',
    '2024-02-29T00:00:00Z',
    '2025-01-01T00:00:00',
    '2025-01-01t00:00:00z',
    '2025-01-01T24:00:00Z',
    '2025-01-01T00:00:00+24:00',
    '2025-01-01T00:00:00.Z',
    '2025-01-01 00:00:00Z',
    'Web',
    'track ',
    -1,
    1.5,
    2 ** 53,
    -0,
    [],
    {},
    { __proto__: null },
  ),
);
const envelopeField = fc.constantFrom('messageId', 'type', 'event', 'userId', 'anonymousId', 'timestamp', 'sentAt', 'properties', 'traits', 'groupId', 'previousId', 'name', 'category', 'context', 'receivedAt', 'tenant', 'source');
const ingestField = fc.constantFrom('transport', 'requestId', 'collector', 'batchIndex');

function nested(levels: number): Json {
  let value: Json = 'leaf';
  for (let level = 0; level < levels; level += 1) value = { n: value };
  return value;
}

function setOwn(target: Value, name: string, value: unknown): Value {
  // defineProperty: assigning "__proto__" would set the prototype instead of a key.
  return Object.defineProperty({ ...target }, name, { value, enumerable: true, writable: true, configurable: true });
}

/** The object to mutate inside; an earlier mutation may have replaced it with anything. */
function objectOf(value: unknown): Value {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Value) : {};
}

type Mutate = (value: Value) => unknown;
const mutation: fc.Arbitrary<Mutate> = fc.oneof(
  fc.tuple(envelopeField, oddValue).map(([field, odd]): Mutate => (v) => ({ ...v, envelope: { ...objectOf(v['envelope']), [field]: odd } })),
  envelopeField.map((field): Mutate => (v) => {
    const { [field]: _removed, ...rest } = objectOf(v['envelope']);
    return { ...v, envelope: rest };
  }),
  fc.tuple(ingestField, oddValue).map(([field, odd]): Mutate => (v) => ({ ...v, ingest: { ...objectOf(v['ingest']), [field]: odd } })),
  ingestField.map((field): Mutate => (v) => {
    const { [field]: _removed, ...rest } = objectOf(v['ingest']);
    return { ...v, ingest: rest };
  }),
  fc.tuple(fc.constantFrom('envelope', 'ingest'), oddValue).map(([field, odd]): Mutate => (v) => ({ ...v, [field]: odd })),
  fc.tuple(fc.constantFrom('channel', 'library', 'ip'), oddValue).map(([field, odd]): Mutate => (v) => {
    const env = objectOf(v['envelope']);
    return { ...v, envelope: { ...env, context: { ...objectOf(env['context']), [field]: odd } } };
  }),
  fc.tuple(fc.constantFrom('properties', 'traits', 'context'), fc.constantFrom(...FORBIDDEN_KEYS), json).map(([field, forbidden, inner]): Mutate => (v) => {
    const env = objectOf(v['envelope']);
    const container = objectOf(env[field]);
    return { ...v, envelope: { ...env, [field]: setOwn(container, forbidden, inner) } };
  }),
  fc.tuple(fc.constantFrom(...FORBIDDEN_KEYS), json).map(([forbidden, inner]): Mutate => (v) => ({ ...v, envelope: setOwn(objectOf(v['envelope']), forbidden, inner) })),
  fc.tuple(fc.constantFrom('properties', 'traits', 'context'), fc.integer({ min: ENVELOPE_LIMITS.maxDepth - 2, max: ENVELOPE_LIMITS.maxDepth + 2 })).map(
    ([field, depth]): Mutate => (v) => {
      const env = objectOf(v['envelope']);
      const container = objectOf(env[field]);
      return { ...v, envelope: { ...env, [field]: { ...container, deep: nested(depth) } } };
    },
  ),
  fc.integer({ min: ENVELOPE_LIMITS.maxKeysPerObject - 1, max: ENVELOPE_LIMITS.maxKeysPerObject + 1 }).map((keys): Mutate => (v) => {
    const properties = Object.fromEntries(Array.from({ length: keys }, (_, i) => [`k${i}`, i]));
    return { ...v, envelope: { ...objectOf(v['envelope']), properties } };
  }),
);

function asConsumed(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

function expectSameAsZod(value: unknown): void {
  const zod = validateTopicValue(TOPICS.eventsRaw, value);
  const fast = rawEventValueOnFastPath(value);
  if (fast !== undefined) {
    expect(zod.ok ? [] : zod.issues).toEqual([]);
    if (zod.ok) {
      expect(fast).toStrictEqual(zod.value);
      expect(JSON.stringify(fast)).toBe(JSON.stringify(zod.value));
      expect(Object.keys(fast.envelope)).toEqual(Object.keys(zod.value.envelope));
    }
  }
  expect(validateRawEventValue(value)).toStrictEqual(zod);
}

describe('compiled events.raw check (property-based, against the zod contract)', () => {
  it('takes the fast path for every valid value, with zod’s parse as its result', () => {
    fc.assert(
      fc.property(rawValue, (generated) => {
        // As the ETL gets it: fast-check's dictionaries may have a null prototype, JSON.parse's never.
        const value = asConsumed(generated);
        expect(rawEventValueOnFastPath(value)).toBeDefined();
        expectSameAsZod(value);
        expectSameAsZod(generated);
      }),
      { numRuns: 1000 },
    );
  }, 30_000);

  it('never accepts what zod rejects, and gives zod’s issues for mutated values', () => {
    let rejected = 0;
    fc.assert(
      fc.property(rawValue, fc.array(mutation, { minLength: 1, maxLength: 3 }), (value, mutations) => {
        const mutated = mutations.reduce<unknown>((current, mutate) => (typeof current === 'object' && current !== null ? mutate(current as Value) : current), value);
        expectSameAsZod(mutated);
        if (mutated !== undefined) expectSameAsZod(asConsumed(mutated));
        if (!validateTopicValue(TOPICS.eventsRaw, mutated).ok) rejected++;
      }),
      { numRuns: 2000 },
    );
    // Most mutations break the contract; the property must have seen both verdicts.
    expect(rejected).toBeGreaterThan(800);
    expect(rejected).toBeLessThan(2000);
  }, 60_000);

  it('measures strings in code points, as zod does (256 emoji fit an id, 257 do not)', () => {
    const base = { envelope: { messageId: 'm', type: 'page', anonymousId: 'a', context: { channel: 'web' }, receivedAt: '2025-01-01T00:00:00Z', tenant: 't', source: 's' }, ingest: { transport: 'http', requestId: 'r', collector: 'c', batchIndex: 0 } };
    const withId = (messageId: string) => ({ ...base, envelope: { ...base.envelope, messageId } });
    expect(rawEventValueOnFastPath(withId('😀'.repeat(256)))).toBeDefined();
    expect(rawEventValueOnFastPath(withId('😀'.repeat(257)))).toBeUndefined();
    expect(validateRawEventValue(withId('😀'.repeat(257))).ok).toBe(false);
    expect(validateRawEventValue(withId('\uD83D'.repeat(257))).ok).toBe(false);
  });

  it('rejects non-objects through zod', () => {
    for (const value of [null, 1, 'x', [], { envelope: null }]) expectSameAsZod(value);
    expect(validateRawEventValue(null)).toEqual(validateTopicValue(TOPICS.eventsRaw, null));
  });
});
