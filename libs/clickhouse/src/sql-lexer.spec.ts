import { describe, expect, it } from 'vitest';
import { splitStatements } from './sql-lexer.js';

describe('splitStatements', () => {
  it('splits on top-level semicolons only', () => {
    const script = `
      -- creates things; really
      CREATE TABLE a (s String DEFAULT 'x;y') ENGINE = Memory;
      /* a comment; with a semicolon */
      INSERT INTO \`we;ird\` VALUES ('it\\'s;', "q;");
      SELECT 1
    `;
    expect(splitStatements(script)).toEqual([
      "-- creates things; really\n      CREATE TABLE a (s String DEFAULT 'x;y') ENGINE = Memory",
      "/* a comment; with a semicolon */\n      INSERT INTO `we;ird` VALUES ('it\\'s;', \"q;\")",
      'SELECT 1',
    ]);
  });

  it('drops empty and comment-only statements', () => {
    expect(splitStatements(';;\n-- nothing here;\n/* nor; here */;')).toEqual([]);
  });

  it('refuses a script that ends inside a literal or comment', () => {
    expect(() => splitStatements("SELECT 'open")).toThrow(/'-quoted/);
    expect(() => splitStatements('SELECT 1 /* open')).toThrow(/block comment/);
  });
});
