import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { envBoolean, envHostPort, envInt, envList, envPort, envUrl } from './env-values.js';

describe('envInt', () => {
  it('parses every integer written in decimal', () => {
    fc.assert(fc.property(fc.maxSafeInteger(), (n) => {
        expect(envInt().parse(String(n))).toBe(n);
      }),
    );
  });

  it('rejects anything that is not a plain decimal integer', () => {
    for (const raw of ['', ' 1', '1 ', '1.5', '1e3', '0x10', '12abc', 'NaN', '+1']) {
      expect(envInt().safeParse(raw).success, raw).toBe(false);
    }
  });

  it('rejects strings with any non-digit character', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((s) => !/^-?\d+$/.test(s)),
        (raw) => {
          expect(envInt().safeParse(raw).success).toBe(false);
        },
      ),
    );
  });

  it('enforces bounds', () => {
    expect(envInt({ min: 10 }).safeParse('9').success).toBe(false);
    expect(envPort().safeParse('65536').success).toBe(false);
    expect(envPort().parse('0')).toBe(0);
  });
});

describe('envBoolean', () => {
  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['false', false],
    ['0', false],
  ])('%s -> %s', (raw, expected) => {
    expect(envBoolean().parse(raw)).toBe(expected);
  });

  it.each(['yes', 'no', 'on', 'off', 'y', 't', '2', ''])('rejects %j', (raw) => {
    const result = envBoolean().safeParse(raw);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('expected true or false (or 1/0)');
  });
});

describe('envList and envHostPort', () => {
  it('splits, trims and validates each item', () => {
    expect(envList(envHostPort()).parse('a:9092, b.example:9093 ,[::1]:9094')).toEqual(['a:9092', 'b.example:9093', '[::1]:9094']);
  });

  it.each(['', 'a', 'a:9092,', 'a:9092,,b:1', 'a:b'])('rejects %j', (raw) => {
    expect(envList(envHostPort()).safeParse(raw).success).toBe(false);
  });
});

describe('envUrl', () => {
  it('accepts http(s) only', () => {
    expect(envUrl().parse('http://127.0.0.1:8123')).toBe('http://127.0.0.1:8123');
    expect(envUrl().safeParse('ftp://x').success).toBe(false);
    expect(envUrl().safeParse('127.0.0.1:8123').success).toBe(false);
  });
});
