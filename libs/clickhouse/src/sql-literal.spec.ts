import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanSql } from './sql-lexer.js';
import { dateTimeText, sqlIdentifier, sqlString, sqlValue } from './sql-literal.js';

/** What ClickHouse does to the inside of a quoted literal, for the escapes sqlString emits. */
function decodeQuoted(literal: string, quote: string): string {
  expect(literal.startsWith(quote) && literal.endsWith(quote)).toBe(true);
  const body = literal.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const char = body[i] as string;
    if (char === quote) {
      throw new Error(`unescaped ${quote} at ${i} would end the literal`);
    }
    if (char !== '\\') {
      out += char;
      continue;
    }
    const next = body[i + 1];
    if (next === 'x') {
      out += String.fromCharCode(parseInt(body.slice(i + 2, i + 4), 16));
      i += 3;
    } else {
      out += next;
      i += 1;
    }
  }
  return out;
}

const hostileString = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.constantFrom("'", '\\', '\0', '\n', '\r', '\t', '`', '"', ';', '-', '/', '*', 'x', '0', '\u2028', '😀') }),
  fc.constantFrom("'; DROP TABLE events; --", "\\'", "\\\\'", "'' OR 1=1", '\\x27', "\\0'", '\u0000\u0001\u007f'),
);

describe('sqlString', () => {
  it('never lets the value end the literal early, and decodes back to the value', () => {
    fc.assert(
      fc.property(hostileString, (value) => {
        const literal = sqlString(value);
        expect(scanSql(literal.slice(0, -1))).toBe("'");
        expect(scanSql(literal)).toBe('code');
        expect(decodeQuoted(literal, "'")).toBe(value);
      }),
      { numRuns: 5_000 },
    );
  });

  it('emits no raw control characters', () => {
    fc.assert(
      fc.property(hostileString, (value) => {
        const controls = [...sqlString(value)].filter((char) => char.charCodeAt(0) < 0x20 || char === '\x7f');
        expect(controls).toEqual([]);
      }),
    );
  });

  it('escapes the quote, the backslash and control characters', () => {
    expect(sqlString("it's")).toBe("'it\\'s'");
    expect(sqlString('a\\b')).toBe("'a\\\\b'");
    expect(sqlString('\0\n\t')).toBe("'\\x00\\x0a\\x09'");
    expect(sqlString('日本😀')).toBe("'日本😀'");
  });

  it('refuses lone surrogates, which UTF-8 cannot carry', () => {
    expect(() => sqlString('a\uD800b')).toThrow(/surrogate/);
    expect(() => sqlString('\uDC00')).toThrow(/surrogate/);
    expect(sqlString('\uD83D\uDE00')).toBe("'😀'");
  });
});

describe('sqlValue', () => {
  it.each([
    [null, 'NULL'],
    [42, '42'],
    [-1.5, '-1.5'],
    [1e-7, '1e-7'],
    [-0, '0'],
    [2n ** 64n, '18446744073709551616'],
    [true, '1'],
    [false, '0'],
    [['a', 1, null], "['a', 1, NULL]"],
    [[[1], []], '[[1], []]'],
    [new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), "toDateTime('2026-01-02 03:04:05', 'UTC')"],
  ])('%o → %s', (value, expected) => {
    expect(sqlValue(value)).toBe(expected);
  });

  it.each([NaN, Infinity, -Infinity])('refuses %d', (value) => {
    expect(() => sqlValue(value)).toThrow(TypeError);
  });

  it('refuses undefined and objects', () => {
    expect(() => sqlValue(undefined as never)).toThrow(/undefined/);
    expect(() => sqlValue({ a: 1 } as never)).toThrow(/Object/);
  });

  it('refuses an invalid Date', () => {
    expect(() => sqlValue(new Date(Number.NaN))).toThrow(/invalid Date/);
  });
});

describe('dateTimeText', () => {
  it('formats in UTC with second precision', () => {
    expect(dateTimeText(new Date('2026-05-09T23:59:59.999+09:00'))).toBe('2026-05-09 14:59:59');
  });

  it('refuses years outside 0000-9999', () => {
    expect(() => dateTimeText(new Date(Date.UTC(10_000, 0, 1)))).toThrow(RangeError);
  });
});

describe('sqlIdentifier', () => {
  it('back-quotes and escapes so the name cannot leave the identifier', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('`', '\\', 'a', ' ', "'", '.', '\n') }).filter((s) => s.length > 0),
        (name) => {
          const quoted = sqlIdentifier(name);
          expect(scanSql(quoted.slice(0, -1))).toBe('`');
          expect(scanSql(quoted)).toBe('code');
          expect(decodeQuoted(quoted, '`')).toBe(name);
        },
      ),
    );
    expect(sqlIdentifier('events')).toBe('`events`');
    expect(sqlIdentifier('we`ird\\')).toBe('`we\\`ird\\\\`');
  });

  it.each(['', 'a\0b'])('refuses %j', (name) => {
    expect(() => sqlIdentifier(name)).toThrow(TypeError);
  });
});
