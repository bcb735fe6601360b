import { describe, expect, it } from 'vitest';
import { EVENT_SCHEMA_DIRECTORY } from '../schema-directory.js';
import { EventSchemas } from './event-schemas.js';
import { piiPathsOfSchema } from './schema-pii-paths.js';

const charge = { chargeId: 'c-1', amount: 1299, currency: 'TWD', merchant: 'Game Store', dueDate: '2026-12-15' };

describe('the repository\'s event schemas', async () => {
  const schemas = await EventSchemas.load(EVENT_SCHEMA_DIRECTORY);

  it('compile, and cover the telecom and bank events later work needs', () => {
    for (const [type, event] of [
      ['track', 'Carrier Billing Charge'],
      ['track', 'Carrier Billing Payment'],
      ['track', 'Order Completed'],
      ['track', 'LINE Message Received'],
      ['page', undefined],
      ['screen', undefined],
      ['identify', undefined],
    ] as const) {
      expect(schemas.versionsOf(type, event).length, `${type} ${event}`).toBeGreaterThan(0);
    }
  });

  it('accept a valid Carrier Billing Charge and name the schema version', () => {
    const verdict = schemas.check('track', 'Carrier Billing Charge', charge);
    expect(verdict).toMatchObject({ ok: true, schema: { id: 'carrier_billing_charge@1', version: 1, field: 'properties' } });
  });

  it('reject a mismatch with every issue located under the field', () => {
    const verdict = schemas.check('track', 'Carrier Billing Charge', { ...charge, amount: 'lots', dueDate: 'soon', merchant: undefined });
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.issues.map((issue) => issue.path).sort()).toEqual(['properties.amount', 'properties.dueDate', 'properties.merchant']);
    expect(verdict.issues.find((issue) => issue.path === 'properties.merchant')?.code).toBe('required');
  });

  it('accept events without a schema as they are', () => {
    expect(schemas.check('track', 'Something New', { anything: 1 })).toEqual({ ok: true, schema: undefined });
  });

  it('mark explicit PII paths relative to the field and to the envelope', () => {
    const [identify] = schemas.versionsOf('identify', undefined);
    expect(identify?.field).toBe('traits');
    expect(identify?.envelopePiiPaths).toEqual(expect.arrayContaining(['traits.email', 'traits.name', 'traits.address', 'traits.nationalId']));
    const charge = schemas.versionsOf('track', 'Carrier Billing Charge')[0];
    expect(charge?.recordPiiPaths).toEqual(expect.arrayContaining(['envelope.properties.msisdn']));
    expect(charge?.recordPiiPaths).not.toContain('envelope.properties.name');
  });

  it('mark the traits identify marks on every event, in context.traits and traits, with or without a schema', () => {
    for (const paths of [schemas.versionsOf('track', 'Carrier Billing Charge')[0]!.envelopePiiPaths, schemas.envelopePiiPaths]) {
      expect(paths).toEqual(expect.arrayContaining(['context.traits.name', 'context.traits.birthday', 'context.traits.address', 'traits.name', 'traits.birthday']));
      expect(paths).not.toContain('context.traits.plan');
    }
    expect(schemas.recordPiiPaths).toContain('envelope.context.traits.name');
    expect(new Set(schemas.versionsOf('identify', undefined)[0]!.envelopePiiPaths).size).toBe(schemas.versionsOf('identify', undefined)[0]!.envelopePiiPaths.length);
  });
});

describe('EventSchemas versions', () => {
  const v1 = { 'x-kuroshio-event': { type: 'track', event: 'Loan Applied' }, type: 'object', required: ['amount'], properties: { amount: { type: 'number' } } };
  const v2 = { ...v1, required: ['amount', 'term'], properties: { ...v1.properties, term: { type: 'integer' } } };
  const schemas = EventSchemas.fromFiles([
    { name: 'loan_applied', version: 1, schema: v1 },
    { name: 'loan_applied', version: 2, schema: v2 },
  ]);

  it('accept under the newest version that passes, so older app builds keep flowing', () => {
    expect(schemas.check('track', 'Loan Applied', { amount: 1, term: 12 })).toMatchObject({ ok: true, schema: { id: 'loan_applied@2' } });
    expect(schemas.check('track', 'Loan Applied', { amount: 1 })).toMatchObject({ ok: true, schema: { id: 'loan_applied@1' } });
  });

  it('report the newest version\'s issues when none passes', () => {
    expect(schemas.check('track', 'Loan Applied', {})).toMatchObject({ ok: false, schema: { id: 'loan_applied@2' } });
  });

  it('write issue paths with the keys scrubbed, so a PII key is not republished', () => {
    const byKey = EventSchemas.fromFiles([
      { name: 'k', version: 1, schema: { 'x-kuroshio-event': { type: 'track', event: 'K' }, type: 'object', additionalProperties: { type: 'number' } } },
    ]);
    const verdict = byKey.check('track', 'K', { 'wang@example.com': 'x' }, (key) => key.replace('wang@example.com', 'tok_email_x'));
    expect(verdict.ok ? [] : verdict.issues.map((issue) => issue.path)).toEqual(['properties.tok_email_x']);
  });

  it('refuse a schema that does not say which event it describes', () => {
    expect(() => EventSchemas.fromFiles([{ name: 'x', version: 1, schema: { type: 'object' } }])).toThrow(/x-kuroshio-event/);
  });
});

describe('piiPathsOfSchema', () => {
  it('finds marked members at any depth, array items as *', () => {
    const schema = {
      type: 'object',
      properties: {
        holder: { type: 'object', properties: { name: { type: 'string', 'x-pii': true }, tier: { type: 'string' } } },
        payees: { type: 'array', items: { type: 'object', properties: { account: { type: 'string', 'x-pii': true } } } },
        address: { 'x-pii': true, type: 'object', properties: { city: { type: 'string', 'x-pii': true } } },
      },
    };
    expect(piiPathsOfSchema(schema)).toEqual(['holder.name', 'payees.*.account', 'address']);
  });
});
