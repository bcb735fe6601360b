import { scanSql, type LexState } from './sql-lexer.js';
import { sqlIdentifier, sqlValue, type SqlInput } from './sql-literal.js';

let createSql: (text: string) => Sql;

/**
 * SQL text whose every value was escaped by `sqlValue`. The client only accepts `Sql`, so a
 * query cannot be assembled by string concatenation anywhere in the platform.
 */
export class Sql {
  // An ECMAScript private field makes the type nominal: a `{ text }` literal is not an Sql.
  readonly #escaped = true;

  private constructor(readonly text: string) {}

  static {
    // Only this module constructs Sql; callers go through `sql`, `ident`, `joinSql` or `trustedSql`.
    createSql = (text) => new Sql(text);
  }

  /** Brand check: true only for instances this module created, whatever their prototype says. */
  static is(value: unknown): value is Sql {
    return typeof value === 'object' && value !== null && #escaped in value;
  }

  toString(): string {
    return this.text;
  }
}

export type SqlInterpolation = SqlInput | Sql;

const statesByTemplate = new WeakMap<TemplateStringsArray, LexState[]>();

/**
 * sql`SELECT * FROM ${ident(table)} WHERE tenant = ${tenant} AND ts >= ${since}`
 * Values become escaped literals, `Sql` fragments (from `sql`, `ident`, `joinSql`) are embedded
 * as they are. An interpolation inside quotes or a comment is refused, because there a value
 * would be read as SQL text.
 */
export function sql(strings: TemplateStringsArray, ...values: SqlInterpolation[]): Sql {
  const states = lexStates(strings);
  let text = strings[0] ?? '';
  values.forEach((value, index) => {
    if (states[index] !== 'code') {
      throw new Error(`sql: interpolation #${index + 1} sits inside a quoted section or comment; interpolate the whole value instead`);
    }
    const rendered = Sql.is(value) ? value.text : sqlValue(value);
    // "a -" followed by "-1" would otherwise start a "--" comment.
    text += (text.endsWith('-') && rendered.startsWith('-') ? ' ' : '') + rendered + (strings[index + 1] ?? '');
  });
  return createSql(text);
}

/** An identifier (table, column, database) for `sql` templates. */
export function ident(name: string): Sql {
  return createSql(sqlIdentifier(name));
}

export function joinSql(parts: readonly Sql[], separator: ', ' | ' AND ' | ' OR ' | '\n'): Sql {
  return createSql(parts.map((part) => part.text).join(separator));
}

/**
 * SQL written by the team and loaded from the repository (migration files). Never pass text
 * that contains data.
 */
export function trustedSql(text: string): Sql {
  return createSql(text);
}

function lexStates(strings: TemplateStringsArray): LexState[] {
  let states = statesByTemplate.get(strings);
  if (!states) {
    states = [];
    let state: LexState = 'code';
    for (let i = 0; i < strings.length - 1; i++) {
      state = scanSql(strings[i] ?? '', state);
      states.push(state);
    }
    statesByTemplate.set(strings, states);
  }
  return states;
}
