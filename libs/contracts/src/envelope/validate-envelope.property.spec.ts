import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPath, type PathSegment, type ValidationIssue } from '../validation-issue.js';
import { enrichInboundEvent } from './enrich-inbound-event.js';
import { CHANNELS, EVENT_TYPES } from './envelope-fields.js';
import { ENVELOPE_LIMITS, FORBIDDEN_KEYS } from './envelope-limits.js';
import { partitionKey } from './partition-key.js';
import { validateEnvelope, validateInboundEvent } from './validate-envelope.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type EventInput = Record<string, unknown>;

// ---- arbitraries for valid events -------------------------------------------------------------

const key = fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !FORBIDDEN_KEYS.has(k));
const text = fc.string({ maxLength: 40, unit: 'grapheme' });
const id = fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }).filter((s) => s.length <= ENVELOPE_LIMITS.maxIdLength);
const name = id;
const instant = fc
  .tuple(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), fc.boolean())
  .map(([date, utcAsOffset]) => (utcAsOffset ? date.toISOString().replace('Z', '+00:00') : date.toISOString()));

const { json } = fc.letrec<{ json: Json }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    text,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('json'), { maxLength: 4 }),
    fc.dictionary(key, tie('json'), { maxKeys: 4 }),
  ),
}));
const jsonObject = fc.dictionary(key, json, { maxKeys: 6 });
const context = fc
  .tuple(
    fc.dictionary(key.filter((k) => k !== 'channel'), json, { maxKeys: 4 }),
    fc.record({ channel: fc.constantFrom(...CHANNELS), locale: text }, { requiredKeys: [] }),
  )
  .map(([extra, known]) => ({ ...extra, ...known }));

const inboundEvent: fc.Arbitrary<EventInput> = fc
  .tuple(
    fc.constantFrom(...EVENT_TYPES),
    id,
    fc.record(
      {
        event: name,
        userId: fc.option(id),
        anonymousId: fc.option(id),
        timestamp: instant,
        sentAt: instant,
        context,
        properties: jsonObject,
        traits: jsonObject,
        groupId: id,
        previousId: id,
        name,
        category: name,
      },
      { requiredKeys: [] },
    ),
    id,
    name,
  )
  .map(([type, messageId, fields, someId, someName]) => {
    const event: EventInput = { messageId, type, ...fields };
    const missing = (field: string) => event[field] === undefined || event[field] === null;
    if (type === 'track' && missing('event')) event['event'] = someName;
    if (type === 'group' && missing('groupId')) event['groupId'] = someId;
    if (type === 'alias' && missing('previousId')) event['previousId'] = someId;
    if (type === 'alias' && missing('userId')) event['userId'] = someId;
    if (missing('userId') && missing('anonymousId')) event['anonymousId'] = someId;
    return event;
  });

const slug = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,30}$/);
const enrichedEnvelope: fc.Arbitrary<EventInput> = fc
  .tuple(inboundEvent, slug, slug, instant, fc.constantFrom(...CHANNELS))
  .map(([event, tenant, source, receivedAt, channel]) => ({
    ...event,
    context: { channel, ...(event['context'] as object | undefined) },
    tenant,
    source,
    receivedAt,
  }));

// ---- mutations that must always be rejected -----------------------------------------------------

interface Mutation {
  describe: string;
  apply(event: EventInput): EventInput;
  /** Path the rejection must name (or a prefix of it, for nesting). */
  path: string;
  prefixOnly?: boolean;
}

const containerPath = fc.tuple(fc.constantFrom('properties', 'traits', 'context'), fc.array(key, { maxLength: 3 }));

/** Returns a copy of `event` with `value` stored under `segments`, creating objects on the way. */
function withValueAt(event: EventInput, segments: readonly string[], value: unknown): EventInput {
  const [head, ...rest] = segments;
  if (head === undefined) {
    return event;
  }
  const copy: EventInput = { ...event };
  const child = copy[head];
  const childObject = typeof child === 'object' && child !== null && !Array.isArray(child) ? (child as EventInput) : {};
  if (rest.length === 0) {
    // defineProperty, because assignment to "__proto__" would set the prototype instead.
    Object.defineProperty(copy, head, { value, enumerable: true, writable: true, configurable: true });
  } else {
    copy[head] = withValueAt(childObject, rest, value);
  }
  return copy;
}

function nested(levels: number): Json {
  let value: Json = 'leaf';
  for (let level = 0; level < levels; level += 1) {
    value = { n: value };
  }
  return value;
}

const nonString = fc.oneof(fc.integer(), fc.boolean(), fc.constant({}), fc.constant([]));

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant<Mutation>({
    describe: 'messageId removed',
    apply: ({ messageId: _removed, ...rest }) => rest,
    path: 'messageId',
  }),
  fc.constant<Mutation>({
    describe: 'both customer ids removed',
    apply: ({ userId: _u, anonymousId: _a, ...rest }) => rest,
    path: 'userId',
  }),
  fc.tuple(fc.constantFrom('messageId', 'userId', 'anonymousId', 'type', 'timestamp', 'event'), nonString).map(
    ([field, value]): Mutation => ({
      describe: `${field} of the wrong type`,
      apply: (event) => ({ ...event, [field]: value }),
      path: field,
    }),
  ),
  fc.tuple(fc.constantFrom(...FORBIDDEN_KEYS), fc.option(containerPath, { nil: undefined }), json).map(
    ([forbidden, where, value]): Mutation => {
      const segments = where === undefined ? [forbidden] : [where[0], ...where[1], forbidden];
      return { describe: `${forbidden} key`, apply: (event) => withValueAt(event, segments, value), path: formatPath(segments) };
    },
  ),
  fc.tuple(containerPath, fc.integer({ min: 0, max: 5 })).map(
    ([[top, chain], extra]): Mutation => ({
      describe: 'nesting over the depth limit',
      apply: (event) => withValueAt(event, [top, ...chain, 'deep'], nested(ENVELOPE_LIMITS.maxDepth - chain.length + extra)),
      path: formatPath([top, ...chain, 'deep'] as PathSegment[]),
      prefixOnly: true,
    }),
  ),
  fc.tuple(containerPath, fc.integer({ min: 1, max: 100 })).map(
    ([[top, chain], over]): Mutation => {
      const segments = [top, ...chain, 'long'];
      return {
        describe: 'string over the length limit',
        apply: (event) => withValueAt(event, segments, 'x'.repeat(ENVELOPE_LIMITS.maxStringLength + over)),
        path: formatPath(segments),
      };
    },
  ),
  fc.tuple(fc.constantFrom('messageId', 'userId', 'anonymousId', 'previousId', 'groupId'), fc.integer({ min: 1, max: 100 })).map(
    ([field, over]): Mutation => ({
      describe: `${field} over the id length limit`,
      apply: (event) => ({ ...event, [field]: 'i'.repeat(ENVELOPE_LIMITS.maxIdLength + over) }),
      path: field,
    }),
  ),
);

function namesPath(issues: readonly ValidationIssue[], m: Mutation): boolean {
  return issues.some((issue) => (m.prefixOnly ? issue.path.startsWith(m.path) : issue.path === m.path));
}

// ---- properties -----------------------------------------------------------------------------------

describe('envelope validator (property-based)', () => {
  it('accepts every valid inbound event and keeps its ids', () => {
    fc.assert(
      fc.property(inboundEvent, (event) => {
        const result = validateInboundEvent(event);
        expect(result.ok ? [] : result.issues).toEqual([]);
        if (result.ok) {
          expect(result.value.messageId).toBe(event['messageId']);
          expect(partitionKey(result.value)).toBe(event['userId'] ?? event['anonymousId']);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('accepts every valid enriched envelope, and what enrichment makes of a valid event', () => {
    fc.assert(
      fc.property(enrichedEnvelope, inboundEvent, slug, fc.constantFrom(...CHANNELS), (envelope, event, tenant, channel) => {
        expect(validateEnvelope(envelope).ok).toBe(true);
        const inbound = validateInboundEvent(event);
        if (!inbound.ok) throw new Error('arbitrary produced an invalid event');
        const enriched = enrichInboundEvent(inbound.value, { tenant, source: tenant, receivedAt: new Date(), defaultChannel: channel });
        expect(validateEnvelope(JSON.parse(JSON.stringify(enriched))).ok).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects every mutated event with a reason naming the path', () => {
    fc.assert(
      fc.property(fc.oneof(inboundEvent, enrichedEnvelope), mutation, (event, m) => {
        const mutated = m.apply(event);
        for (const result of [validateInboundEvent(mutated), validateEnvelope(mutated)]) {
          expect(result.ok, m.describe).toBe(false);
          if (!result.ok) {
            expect(namesPath(result.issues, m), `${m.describe}: ${JSON.stringify(result.issues)}`).toBe(true);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 6, withNullPrototype: true, withMap: true, withBigInt: true }), (value) => {
        expect(() => validateInboundEvent(value)).not.toThrow();
        expect(() => validateEnvelope(value)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});
