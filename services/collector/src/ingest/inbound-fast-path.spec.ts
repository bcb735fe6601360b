import { CHANNELS, ENVELOPE_LIMITS, EVENT_TYPES, enrichInboundEvent, validateInboundEvent } from '@kuroshio/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastEnvelope, type FastEnrichment } from './inbound-fast-path.js';

const receivedAt = new Date('2026-03-01T08:00:00.000Z');
const enrichment = { tenant: 'bank-a', source: 'web-bank', receivedAt, defaultChannel: 'web' } as const;
const fastEnrichment: FastEnrichment = { ...enrichment, receivedAt: receivedAt.toISOString() };

/** What the zod path makes of an input, as JSON (what reaches Kafka), or undefined when zod rejects it. */
function viaZod(input: unknown): unknown {
  const validated = validateInboundEvent(input);
  return validated.ok ? JSON.parse(JSON.stringify(enrichInboundEvent(validated.value, enrichment))) : undefined;
}

function viaFastPath(input: unknown): unknown {
  const envelope = fastEnvelope(input, fastEnrichment);
  return envelope === undefined ? undefined : JSON.parse(JSON.stringify(envelope));
}

// Values close to every boundary the envelope rules draw, valid and not.
const edgyString = fc.oneof(
  fc.constantFrom('', 'x', 'cust-1', ' ', '__proto__', 'a'.repeat(ENVELOPE_LIMITS.maxIdLength), 'a'.repeat(ENVELOPE_LIMITS.maxIdLength + 1)),
  fc.string({ maxLength: 20 }),
);
const edgyInstant = fc.constantFrom(
  '2026-03-01T08:00:00Z',
  '2026-03-01T08:00:00.123+08:00',
  '2024-02-29T00:00:00Z',
  '2023-02-29T00:00:00Z',
  '2026-03-01T08:00:00',
  '2026-03-01 08:00:00Z',
  '2026-13-01T08:00:00Z',
  'yesterday',
);
const { json } = fc.letrec<{ json: unknown }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', maxDepth: 5 },
    edgyString,
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('json'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(edgyString, fc.constantFrom('constructor', 'prototype')), tie('json'), { maxKeys: 4 }),
  ),
}));
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof(arbitrary, fc.constant(null), fc.constant(undefined), json);
const context = fc.oneof(
  fc.record({ channel: fc.oneof(fc.constantFrom(...CHANNELS), edgyString, fc.constant(null)), locale: edgyString }, { requiredKeys: [] }),
  json,
);
const validId = fc.string({ minLength: 1, maxLength: 30 });
const validEvent = fc.record(
  {
    type: fc.constantFrom(...EVENT_TYPES),
    messageId: validId,
    event: validId,
    userId: validId,
    anonymousId: fc.option(validId),
    groupId: validId,
    previousId: validId,
    name: fc.option(validId),
    timestamp: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
    properties: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !['__proto__', 'constructor', 'prototype'].includes(k)), json, { maxKeys: 5 }),
    context: fc.record({ channel: fc.constantFrom(...CHANNELS), locale: validId }, { requiredKeys: [] }),
  },
  { requiredKeys: ['type', 'messageId', 'event', 'userId', 'groupId', 'previousId'] },
);
// Any of the fields, set to something near a boundary (or absent), on top of a valid event.
const mutation = fc.record(
  {
    type: fc.oneof(fc.constantFrom(...EVENT_TYPES), edgyString),
    messageId: maybe(edgyString),
    event: maybe(edgyString),
    userId: maybe(edgyString),
    anonymousId: maybe(edgyString),
    groupId: maybe(edgyString),
    previousId: maybe(edgyString),
    name: maybe(edgyString),
    category: maybe(edgyString),
    timestamp: maybe(edgyInstant),
    sentAt: maybe(edgyInstant),
    properties: maybe(fc.dictionary(edgyString, json, { maxKeys: 5 })),
    traits: maybe(fc.dictionary(edgyString, json, { maxKeys: 5 })),
    context: maybe(context),
    integrations: json,
  },
  { requiredKeys: [] },
);
const candidate = fc.oneof(
  validEvent,
  fc.tuple(validEvent, mutation).map(([event, change]) => ({ ...event, ...change })),
  mutation,
);
// Through JSON, as the HTTP path sees events: `__proto__` becomes an own key, undefined disappears.
const asReceived = candidate.map((event) => JSON.parse(JSON.stringify(event)) as unknown);

const validTrack = {
  type: 'track',
  messageId: 'm-1',
  event: 'Transfer Completed',
  userId: 'cust-42',
  anonymousId: null,
  timestamp: '2026-03-01T07:59:58.120+08:00',
  properties: { amount: 1200, tags: ['a', { b: [1, 2] }] },
  context: { locale: 'zh-TW', library: { name: 'analytics-ios' } },
  integrations: { All: true },
};

describe('fastEnvelope', () => {
  it('never accepts what the contracts reject, and builds the same envelope when both accept', () => {
    fc.assert(
      fc.property(asReceived, (input) => {
        const fast = viaFastPath(input);
        if (fast !== undefined) expect(fast).toEqual(viaZod(input));
      }),
      { numRuns: 3000 },
    );
  });

  it('takes the common valid events itself', () => {
    expect(viaFastPath(validTrack)).toEqual(viaZod(validTrack));
    expect(viaFastPath(validTrack)).toMatchObject({ context: { channel: 'web' }, tenant: 'bank-a', receivedAt: '2026-03-01T08:00:00.000Z' });
    for (const type of EVENT_TYPES) {
      const event = { ...validTrack, type, groupId: 'g-1', previousId: 'p-1', context: { channel: 'app' } };
      expect(viaFastPath(event)).toEqual(viaZod(event));
    }
    const accepted = fc.sample(asReceived, 3000).filter((input) => viaZod(input) !== undefined);
    const taken = accepted.filter((input) => viaFastPath(input) !== undefined);
    expect(accepted.length).toBeGreaterThan(500);
    expect(taken.length).toBe(accepted.length);
  });

  it.each([
    ['a "__proto__" key', JSON.parse('{"properties":{"a":{"__proto__":{"x":1}}}}')],
    ['a "constructor" key', { properties: { constructor: 1 } }],
    ['nesting past the limit', { properties: JSON.parse('{"a":'.repeat(ENVELOPE_LIMITS.maxDepth + 1) + '1' + '}'.repeat(ENVELOPE_LIMITS.maxDepth + 1)) }],
    ['a string past the limit', { properties: { note: 'x'.repeat(ENVELOPE_LIMITS.maxStringLength + 1) } }],
    ['too many keys', { traits: Object.fromEntries(Array.from({ length: ENVELOPE_LIMITS.maxKeysPerObject + 1 }, (_, i) => [`k${i}`, i])) }],
    ['too many values', { properties: { list: Array.from({ length: 6 }, () => Array.from({ length: 1000 }, () => 1)) } }],
    ['a null channel', { context: { channel: null } }],
    ['an array as properties', { properties: [1] }],
    ['a missing customer id', { userId: undefined }],
    ['a local time', { timestamp: '2026-03-01T08:00:00' }],
    ['a class instance', { properties: new Date() }],
  ])('leaves events with %s to zod', (_, change) => {
    const input = { ...validTrack, ...change };
    expect(fastEnvelope(input, fastEnrichment)).toBeUndefined();
  });
});
