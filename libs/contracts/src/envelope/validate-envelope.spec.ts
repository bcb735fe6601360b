import { describe, expect, it } from 'vitest';
import { describeIssues, type ValidationIssue } from '../validation-issue.js';
import type { EventEnvelope } from './envelope-schema.js';
import { validateCleanEnvelope, validateEnvelope, validateInboundEvent } from './validate-envelope.js';

const track = {
  messageId: 'ajs-5e3f',
  type: 'track',
  event: 'Carrier Billing Charged',
  userId: 'cust-1',
  anonymousId: null,
  timestamp: '2025-03-01T09:30:00.000+08:00',
  context: { library: { name: 'analytics.js', version: '4.1.0' }, locale: 'zh-TW' },
  properties: { amount: 499, currency: 'TWD', items: [{ sku: 'sim-5g' }] },
  integrations: { All: true },
  writeKey: 'should-be-dropped',
};

const envelope: EventEnvelope = {
  messageId: 'm-1',
  type: 'identify',
  anonymousId: 'anon-1',
  traits: { plan: 'postpaid' },
  context: { channel: 'app' },
  receivedAt: '2025-03-01T01:30:00.000Z',
  tenant: 'taiwan-telco',
  source: 'android-app',
};

function issuesOf(result: { ok: true } | { ok: false; issues: ValidationIssue[] }): ValidationIssue[] {
  if (result.ok) {
    throw new Error('expected the value to be rejected');
  }
  return result.issues;
}

describe('validateInboundEvent', () => {
  it('accepts a Segment track call and normalises it', () => {
    const result = validateInboundEvent(track);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.value.anonymousId).toBeUndefined();
      expect(JSON.stringify(result.value)).not.toContain('anonymousId');
      expect(result.value).not.toHaveProperty('writeKey');
      expect(result.value).not.toHaveProperty('integrations');
      expect(result.value.properties).toEqual(track.properties);
      expect(result.value.context).toEqual(track.context);
    }
  });

  it('drops tenant, source and receivedAt a client tries to set', () => {
    const result = validateInboundEvent({ ...track, tenant: 'other-bank', source: 'x', receivedAt: '2020-01-01T00:00:00Z' });
    expect(result.ok && Object.keys(result.value)).not.toContain('tenant');
    expect(result.ok && Object.keys(result.value)).not.toContain('receivedAt');
  });

  it.each([
    ['track without event', { ...track, event: undefined }, 'event', 'required'],
    ['alias without previousId', { ...track, type: 'alias', previousId: undefined }, 'previousId', 'required'],
    ['alias without userId', { type: 'alias', messageId: 'm', anonymousId: 'a', previousId: 'p' }, 'userId', 'required'],
    ['group without groupId', { ...track, type: 'group' }, 'groupId', 'required'],
    ['no customer id at all', { ...track, userId: null }, 'userId', 'required'],
    ['missing messageId', { ...track, messageId: undefined }, 'messageId', 'required'],
    ['unknown type', { ...track, type: 'purchase' }, 'type', 'invalid_value'],
    ['numeric userId', { ...track, userId: 42 }, 'userId', 'invalid_type'],
    ['empty messageId', { ...track, messageId: '' }, 'messageId', 'too_small'],
    ['timestamp without offset', { ...track, timestamp: '2025-03-01T09:30:00' }, 'timestamp', 'invalid_format'],
    ['unknown channel', { ...track, context: { channel: 'fax' } }, 'context.channel', 'invalid_value'],
    ['properties not an object', { ...track, properties: [1, 2] }, 'properties', 'invalid_type'],
    ['__proto__ in properties', JSON.parse('{"messageId":"m","type":"track","event":"e","userId":"u","properties":{"__proto__":{"admin":true}}}'), 'properties.__proto__', 'forbidden_key'],
    ['constructor in context', { ...track, context: { constructor: 'x' } }, 'context.constructor', 'forbidden_key'],
    ['long event name', { ...track, event: 'e'.repeat(257) }, 'event', 'too_big'],
    ['long property string', { ...track, properties: { note: 'x'.repeat(9000) } }, 'properties.note', 'too_long'],
    ['NaN property', { ...track, properties: { amount: Number.NaN } }, 'properties.amount', 'not_json'],
    ['Date property', { ...track, properties: { at: new Date(0) } }, 'properties.at', 'not_json'],
  ])('rejects %s', (_name, input, path, code) => {
    const issues = issuesOf(validateInboundEvent(input));
    expect(issues).toContainEqual(expect.objectContaining({ path, code }));
  });

  it('rejects nesting deeper than the limit, naming where', () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let level = 0; level < 12; level += 1) {
      deep = { d: deep };
    }
    const issues = issuesOf(validateInboundEvent({ ...track, properties: deep }));
    expect(issues).toEqual([expect.objectContaining({ code: 'too_deep', path: expect.stringMatching(/^properties(\.d)+$/) })]);
  });

  it('survives a million-deep nesting without recursing into it', () => {
    let deep: unknown = 0;
    for (let level = 0; level < 1_000_000; level += 1) {
      deep = [deep];
    }
    expect(issuesOf(validateInboundEvent({ ...track, properties: { deep } }))[0]?.code).toBe('too_deep');
  });

  it('caps the number of issues a hostile event can produce', () => {
    const properties = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, 'x'.repeat(9000)]));
    expect(issuesOf(validateInboundEvent({ ...track, properties }))).toHaveLength(20);
  });

  it('reports every problem of an event at once', () => {
    const issues = issuesOf(validateInboundEvent({ type: 'track', timestamp: 'yesterday' }));
    expect(issues.map((issue) => issue.path).sort()).toEqual(['event', 'messageId', 'timestamp', 'userId']);
    expect(describeIssues(issues)).toContain('event: required for track');
  });

  it('rejects what is not an object', () => {
    for (const input of [null, 'track', 42, [track]]) {
      expect(issuesOf(validateInboundEvent(input))[0]?.path).toBe('');
    }
  });
});

describe('validateEnvelope', () => {
  it('accepts an enriched envelope', () => {
    expect(validateEnvelope(envelope)).toEqual({ ok: true, value: envelope });
  });

  it.each(['tenant', 'source', 'receivedAt'] as const)('requires %s', (field) => {
    const issues = issuesOf(validateEnvelope({ ...envelope, [field]: undefined }));
    expect(issues).toContainEqual({ path: field, code: 'required', message: 'required' });
  });

  it('requires context.channel', () => {
    expect(issuesOf(validateEnvelope({ ...envelope, context: {} }))).toContainEqual(
      expect.objectContaining({ path: 'context.channel', code: 'required' }),
    );
  });

  it('rejects a tenant that is not a slug', () => {
    expect(issuesOf(validateEnvelope({ ...envelope, tenant: "x'; DROP TABLE events" }))[0]?.path).toBe('tenant');
  });

  it('requires the event time once clean', () => {
    expect(issuesOf(validateCleanEnvelope(envelope))).toContainEqual(expect.objectContaining({ path: 'timestamp', code: 'required' }));
    expect(validateCleanEnvelope({ ...envelope, timestamp: envelope.receivedAt }).ok).toBe(true);
  });
});
