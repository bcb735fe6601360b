/**
 * The one place values and identifiers become ClickHouse SQL text. ClickHouse 18.16 has no
 * server-side query parameters, so every value in every query passes through here. The output
 * parses identically on 18.16 and current ClickHouse.
 */

export type SqlScalar = string | number | bigint | boolean | Date | null;
export type SqlInput = SqlScalar | readonly SqlInput[];

// Lone UTF-16 surrogates cannot be encoded as UTF-8; sending them would store U+FFFD instead.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function sqlValue(value: SqlInput): string {
  if (value === null) {
    return 'NULL';
  }
  if (Array.isArray(value)) {
    return `[${value.map((item: SqlInput) => sqlValue(item)).join(', ')}]`;
  }
  switch (typeof value) {
    case 'string':
      return sqlString(value);
    case 'number':
      return sqlNumber(value);
    case 'bigint':
      return value.toString();
    // Bool is not a type on 18.16; 1/0 read as UInt8 there and convert to Bool on current servers.
    case 'boolean':
      return value ? '1' : '0';
    default:
      if (value instanceof Date) {
        return sqlDateTime(value);
      }
      throw new TypeError(`cannot render ${describe(value)} as a ClickHouse value`);
  }
}

/**
 * A single-quoted literal. Only the quote, the backslash and control characters are escaped —
 * each with a sequence both server generations decode — and every other character is sent as
 * UTF-8 unchanged, so no input can end the literal early.
 */
export function sqlString(value: string): string {
  if (LONE_SURROGATE.test(value)) {
    throw new TypeError('string contains a lone UTF-16 surrogate and cannot be stored as UTF-8');
  }
  return `'${escapeQuoted(value, "'")}'`;
}

/** A back-quoted identifier (database, table, column). */
export function sqlIdentifier(name: string): string {
  if (name.length === 0) {
    throw new TypeError('identifier is empty');
  }
  if (name.includes('\0')) {
    throw new TypeError('identifier contains NUL');
  }
  if (LONE_SURROGATE.test(name)) {
    throw new TypeError('identifier contains a lone UTF-16 surrogate');
  }
  return `\`${escapeQuoted(name, '`')}\``;
}

/**
 * DateTime literal in UTC. DateTime has second precision on 18.16 (DateTime64 arrived in 20.1),
 * so sub-second parts are dropped here; columns that need milliseconds store epoch milliseconds.
 */
export function sqlDateTime(value: Date): string {
  return `toDateTime(${sqlString(dateTimeText(value))}, 'UTC')`;
}

/** `YYYY-MM-DD hh:mm:ss` in UTC: the DateTime text form both in SQL and in JSONEachRow rows. */
export function dateTimeText(value: Date): string {
  const millis = value.getTime();
  if (!Number.isFinite(millis)) {
    throw new TypeError('invalid Date');
  }
  const iso = value.toISOString();
  if (iso.length !== 24) {
    throw new RangeError(`${iso} is outside the years DateTime can hold`);
  }
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

function sqlNumber(value: number): string {
  if (!Number.isFinite(value)) {
    throw new TypeError(`${value} has no ClickHouse literal`);
  }
  // String(-0) is "0"; the sign of zero does not survive a round trip through JSON either.
  return String(value);
}

function escapeQuoted(text: string, quote: "'" | '`'): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\\' || char === quote) {
      out += `\\${char}`;
    } else if (code < 0x20 || code === 0x7f) {
      out += `\\x${code.toString(16).padStart(2, '0')}`;
    } else {
      out += char;
    }
  }
  return out;
}

function describe(value: unknown): string {
  if (value === undefined) {
    return 'undefined';
  }
  return typeof value === 'object' ? (value?.constructor?.name ?? 'object') : typeof value;
}
