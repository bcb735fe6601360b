import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { ChecksumMismatchError, Sha256Verifier, sha256Hex } from './checksum.js';

const verifyAgainst = (expected: string) =>
  new Sha256Verifier((actual) => (actual === expected ? undefined : new ChecksumMismatchError('b', 'k', expected, actual)));

describe('sha256Hex', () => {
  it('is the hex sha256 of the bytes', () => {
    expect(sha256Hex(Buffer.from('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('Sha256Verifier', () => {
  const chunks = ['model ', 'weights ', '日本'].map((chunk) => Buffer.from(chunk));
  const body = Buffer.concat(chunks);

  it('passes the bytes through when they match', async () => {
    const verifier = verifyAgainst(sha256Hex(body));
    const [read] = await Promise.all([buffer(verifier), pipeline(Readable.from(chunks), verifier)]);
    expect(read).toEqual(body);
  });

  it('fails the stream at its end when they do not', async () => {
    const verifier = verifyAgainst(sha256Hex(Buffer.from('something else')));
    await expect(pipeline(Readable.from(chunks), verifier, async (source) => {
      for await (const _ of source) {
        // drain
      }
    })).rejects.toBeInstanceOf(ChecksumMismatchError);
  });
});
