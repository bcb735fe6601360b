import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { DomainError } from '@kuroshio/service-kit';
import { describe, expect, it } from 'vitest';
import { BodyTimeoutError, collectBody, decodeJsonBody, inflateBody } from './request-body.js';

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error.reason;
    if (error instanceof BodyTimeoutError) return 'timeout';
    throw error;
  }
  return 'no error';
}

describe('inflateBody', () => {
  it('passes identity bodies through and decompresses gzip', async () => {
    const body = Buffer.from('{"batch":[]}');
    expect(await inflateBody(body, undefined, 100)).toBe(body);
    expect((await inflateBody(gzipSync(body), 'gzip', 100)).toString()).toBe('{"batch":[]}');
  });

  it('stops a zip bomb at the decompressed limit', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(100 * 1024);
    const before = process.memoryUsage().arrayBuffers;
    expect(await reasonOf(inflateBody(bomb, 'gzip', 1024 * 1024))).toBe('inflated_too_large');
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(20 * 1024 * 1024);
  });

  it('accepts a body exactly at the limit', async () => {
    expect((await inflateBody(gzipSync(Buffer.alloc(1000)), 'gzip', 1000)).length).toBe(1000);
  });

  it('refuses corrupt gzip and unknown encodings', async () => {
    expect(await reasonOf(inflateBody(Buffer.from('not gzip'), 'gzip', 1000))).toBe('invalid_gzip');
    expect(await reasonOf(inflateBody(gzipSync('{}').subarray(0, 10), 'gzip', 1000))).toBe('invalid_gzip');
    expect(await reasonOf(inflateBody(Buffer.from('{}'), 'br', 1000))).toBe('unsupported_content_encoding');
  });
});

describe('collectBody', () => {
  it('admits each chunk before keeping it and ends the read with the admission error', async () => {
    const stream = new PassThrough();
    const admitted: number[] = [];
    const full = new Error('budget full');
    const body = collectBody(stream, { maxBytes: 1000, timeoutMs: 5_000, admit: (bytes) => (admitted.push(bytes), admitted.length > 1 ? full : undefined) });
    stream.write(Buffer.alloc(10));
    stream.write(Buffer.alloc(20));
    await expect(body).rejects.toBe(full);
    expect(admitted).toEqual([10, 20]);
  });

  it('collects a body within the limits', async () => {
    const stream = new PassThrough();
    const collected = collectBody(stream, { maxBytes: 10, timeoutMs: 1000 });
    stream.write('01234');
    stream.end('56789');
    expect((await collected).toString()).toBe('0123456789');
  });

  it('fails as soon as the body grows past the limit', async () => {
    const stream = new PassThrough();
    const collected = collectBody(stream, { maxBytes: 10, timeoutMs: 1000 });
    stream.write('0123456789A');
    expect(await reasonOf(collected)).toBe('body_too_large');
  });

  it('gives a trickling client a deadline', async () => {
    const stream = new PassThrough();
    const collected = collectBody(stream, { maxBytes: 1000, timeoutMs: 50 });
    const trickle = setInterval(() => stream.write('x'), 10);
    try {
      expect(await reasonOf(collected)).toBe('timeout');
    } finally {
      clearInterval(trickle);
    }
  });
});

describe('decodeJsonBody', () => {
  it('parses JSON', () => {
    expect(decodeJsonBody(Buffer.from('{"a":[1]}'))).toEqual({ a: [1] });
  });

  it.each([
    [Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 'invalid_utf8'],
    [Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]), 'invalid_utf8'],
    [Buffer.from('{"a":'), 'malformed_json'],
    [Buffer.from('   '), 'empty_body'],
  ])('refuses %j (%s)', (bytes, reason) => {
    try {
      decodeJsonBody(bytes);
      throw new Error('expected a DomainError');
    } catch (error) {
      expect((error as DomainError).reason).toBe(reason);
    }
  });

  it('keeps "__proto__" an ordinary key, never a prototype', () => {
    const parsed = decodeJsonBody(Buffer.from('{"__proto__":{"polluted":1}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
