import { describe, expect, it } from 'vitest';
import { ident, joinSql, sql, trustedSql, Sql } from './sql-template.js';

describe('sql', () => {
  it('escapes every interpolated value', () => {
    const tenant = "acme'; DROP TABLE events; --";
    expect(sql`SELECT count() FROM events WHERE tenant = ${tenant} AND n > ${5}`.text).toBe(
      "SELECT count() FROM events WHERE tenant = 'acme\\'; DROP TABLE events; --' AND n > 5",
    );
  });

  it('embeds identifiers and nested fragments as they are', () => {
    const where = joinSql([sql`a = ${1}`, sql`b IN ${['x', 'y']}`], ' AND ');
    expect(sql`SELECT * FROM ${ident('my table')} WHERE ${where}`.text).toBe("SELECT * FROM `my table` WHERE a = 1 AND b IN ['x', 'y']");
  });

  it('keeps a negative value after a minus sign from becoming a comment', () => {
    expect(sql`SELECT 1-${-1}`.text).toBe('SELECT 1- -1');
  });

  it.each([
    ['a single-quoted literal', () => sql`SELECT '${'x'}'`],
    ['a back-quoted identifier', () => sql`SELECT \`${'x'}\``],
    ['a line comment', () => sql`SELECT 1 -- ${'x'}`],
    ['a block comment', () => sql`SELECT /* ${'x'} */ 1`],
  ])('refuses interpolation inside %s', (_, build) => {
    expect(build).toThrow(/inside a quoted section or comment/);
  });

  it('accepts interpolation after a closed literal or comment', () => {
    expect(sql`SELECT 'it''s' /* note */, ${'v'} -- end\n, ${2}`.text).toBe("SELECT 'it''s' /* note */, 'v' -- end\n, 2");
  });

  it('only produces Sql through its own constructors', () => {
    expect(trustedSql('SELECT 1')).toBeInstanceOf(Sql);
    expect(String(sql`SELECT ${1}`)).toBe('SELECT 1');
  });
});
