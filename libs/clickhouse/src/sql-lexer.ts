/**
 * Just enough of ClickHouse's lexer to know whether a position is SQL code or inside a literal,
 * a quoted identifier or a comment. Used to refuse interpolation inside quotes and to split
 * migration files into statements.
 */
export type LexState = 'code' | "'" | '`' | '"' | 'line-comment' | 'block-comment';

export function scanSql(text: string, state: LexState = 'code', onCode?: (index: number, char: string) => void): LexState {
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    switch (state) {
      case 'code':
        if (char === "'" || char === '`' || char === '"') {
          state = char;
        } else if (char === '-' && text[i + 1] === '-') {
          state = 'line-comment';
          i++;
        } else if (char === '/' && text[i + 1] === '*') {
          state = 'block-comment';
          i++;
        } else {
          onCode?.(i, char);
        }
        break;
      case 'line-comment':
        if (char === '\n') {
          state = 'code';
          onCode?.(i, char);
        }
        break;
      case 'block-comment':
        if (char === '*' && text[i + 1] === '/') {
          state = 'code';
          i++;
        }
        break;
      default:
        // Inside a quoted literal or identifier: a backslash escapes the next character, and a
        // doubled quote reads as leaving and re-entering, which lands in the same state.
        if (char === '\\') {
          i++;
        } else if (char === state) {
          state = 'code';
        }
    }
  }
  return state;
}

/** Splits a script on top-level `;`, dropping statements that hold nothing but comments. */
export function splitStatements(script: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let hasCode = false;
  const state = scanSql(script, 'code', (index, char) => {
    if (char === ';') {
      if (hasCode) {
        statements.push(script.slice(start, index).trim());
      }
      start = index + 1;
      hasCode = false;
    } else if (!/\s/.test(char)) {
      hasCode = true;
    }
  });
  if (state !== 'code' && state !== 'line-comment') {
    throw new Error(`script ends inside ${state === 'block-comment' ? 'a block comment' : `a ${state}-quoted section`}`);
  }
  if (hasCode) {
    statements.push(script.slice(start).trim());
  }
  return statements;
}
