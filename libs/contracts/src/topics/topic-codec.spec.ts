import { describe, expect, it } from 'vitest';
import { bytesFromDeadLetterPayload, deadLetterPayloadFromBytes } from './dead-letter-value.js';
import { decodeTopicValue, encodeTopicValue } from './topic-codec.js';
import { TOPICS } from './topics.js';

const exposure = {
  experimentKey: 'aa-test',
  variant: 'a',
  unitId: 'cust-1',
  revision: 1,
  recordedBy: 'experiment' as const,
  requestId: null,
  exposedAt: '2025-03-01T00:00:00.000Z',
};

describe('topic codec', () => {
  it('round-trips a value through Kafka bytes', () => {
    const bytes = encodeTopicValue(TOPICS.experimentExposures, exposure);
    expect(decodeTopicValue(TOPICS.experimentExposures, bytes)).toEqual({ ok: true, value: exposure });
    expect(decodeTopicValue(TOPICS.experimentExposures, bytes.toString('utf8'))).toEqual({ ok: true, value: exposure });
  });

  it('reports bytes that are not JSON, and records without a value', () => {
    expect(decodeTopicValue(TOPICS.experimentExposures, Buffer.from('{oops'))).toMatchObject({ ok: false, issues: [{ code: 'invalid_json' }] });
    expect(decodeTopicValue(TOPICS.experimentExposures, null)).toMatchObject({ ok: false, issues: [{ code: 'required' }] });
  });
});

describe('dead-letter payloads', () => {
  it('keep UTF-8 as text', () => {
    expect(deadLetterPayloadFromBytes(Buffer.from('{"name":"王小明"}'))).toEqual({ encoding: 'utf8', data: '{"name":"王小明"}' });
  });

  it('keep anything else byte for byte as base64', () => {
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x7d]);
    const payload = deadLetterPayloadFromBytes(bytes);
    expect(payload.encoding).toBe('base64');
    expect(bytesFromDeadLetterPayload(payload).equals(bytes)).toBe(true);
  });
});
