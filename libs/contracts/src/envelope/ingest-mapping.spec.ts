import { describe, expect, it } from 'vitest';
import { Channel, EventType, type Event } from '../generated/nest/kuroshio/ingest/v1/event.js';
import { timestampFromDate } from '../proto-time.js';
import { enrichInboundEvent } from './enrich-inbound-event.js';
import { inboundInputFromGrpcEvent } from './inbound-from-grpc-event.js';
import { partitionKey } from './partition-key.js';
import { validateEnvelope, validateInboundEvent } from './validate-envelope.js';

const grpcEvent: Event = {
  messageId: 'gw-0001',
  type: EventType.EVENT_TYPE_TRACK,
  event: 'Meter Reading',
  userId: '',
  anonymousId: 'device-42',
  timestamp: timestampFromDate(new Date('2025-03-01T00:00:00.250Z')),
  sentAt: null,
  channel: Channel.CHANNEL_IOT,
  context: { device: { model: 'gw-7' } },
  properties: { kwh: 1.5 },
  traits: null,
  groupId: '',
  previousId: '',
  name: '',
  category: '',
};

describe('inboundInputFromGrpcEvent', () => {
  it('maps a proto event to the JSON the HTTP API receives', () => {
    expect(inboundInputFromGrpcEvent(grpcEvent)).toEqual({
      messageId: 'gw-0001',
      type: 'track',
      event: 'Meter Reading',
      anonymousId: 'device-42',
      timestamp: '2025-03-01T00:00:00.250Z',
      context: { device: { model: 'gw-7' }, channel: 'iot' },
      properties: { kwh: 1.5 },
    });
    expect(validateInboundEvent(inboundInputFromGrpcEvent(grpcEvent)).ok).toBe(true);
  });

  it('lets an unspecified type be reported as missing', () => {
    const result = validateInboundEvent(inboundInputFromGrpcEvent({ ...grpcEvent, type: EventType.EVENT_TYPE_UNSPECIFIED }));
    expect(result.ok ? [] : result.issues).toContainEqual({ path: 'type', code: 'required', message: 'required' });
  });

  it('keeps context.channel when the typed channel is unspecified', () => {
    const input = inboundInputFromGrpcEvent({ ...grpcEvent, channel: Channel.CHANNEL_UNSPECIFIED, context: { channel: 'branch' } });
    expect(input['context']).toEqual({ channel: 'branch' });
  });

  it('turns an out-of-range timestamp into a rejection, not a crash', () => {
    const result = validateInboundEvent(inboundInputFromGrpcEvent({ ...grpcEvent, timestamp: { seconds: 1e16, nanos: 0 } }));
    expect(result.ok ? [] : result.issues.map((issue) => issue.path)).toEqual(['timestamp']);
  });
});

describe('enrichInboundEvent', () => {
  const receivedAt = new Date('2025-03-01T00:00:01Z');

  it('adds tenant, source, receivedAt and the source channel', () => {
    const inbound = validateInboundEvent(inboundInputFromGrpcEvent({ ...grpcEvent, channel: Channel.CHANNEL_UNSPECIFIED }));
    if (!inbound.ok) throw new Error('fixture must be valid');
    const envelope = enrichInboundEvent(inbound.value, { tenant: 'telco', source: 'gateways', receivedAt, defaultChannel: 'iot' });
    expect(envelope).toMatchObject({ tenant: 'telco', source: 'gateways', receivedAt: '2025-03-01T00:00:01.000Z', context: { channel: 'iot' } });
    expect(validateEnvelope(envelope).ok).toBe(true);
  });

  it('keeps the channel the event named', () => {
    const inbound = validateInboundEvent({ messageId: 'm', type: 'page', anonymousId: 'a', context: { channel: 'web' } });
    if (!inbound.ok) throw new Error('fixture must be valid');
    const envelope = enrichInboundEvent(inbound.value, { tenant: 't', source: 's', receivedAt, defaultChannel: 'app' });
    expect(envelope.context.channel).toBe('web');
  });
});

describe('partitionKey', () => {
  it('is the userId once known, else the anonymousId', () => {
    expect(partitionKey({ userId: 'cust-1', anonymousId: 'anon-1' })).toBe('cust-1');
    expect(partitionKey({ anonymousId: 'anon-1' })).toBe('anon-1');
  });

  it('refuses an envelope without any customer id', () => {
    expect(() => partitionKey({})).toThrow(/validate it before producing/);
  });
});
