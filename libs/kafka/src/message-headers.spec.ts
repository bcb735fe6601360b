import { describe, expect, it } from 'vitest';
import { decodeHeaders } from './message-headers.js';

describe('decodeHeaders', () => {
  it('decodes buffers and strings as UTF-8 text', () => {
    expect(decodeHeaders({ a: Buffer.from('日本', 'utf8'), b: 'plain' })).toEqual({ a: '日本', b: 'plain' });
  });

  it('keeps the last value of a repeated header and drops undefined ones', () => {
    expect(decodeHeaders({ h: [Buffer.from('first'), 'second'], gone: undefined })).toEqual({ h: 'second' });
  });

  it('returns an empty record when there are no headers', () => {
    expect(decodeHeaders(undefined)).toEqual({});
  });
});
