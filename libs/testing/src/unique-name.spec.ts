import { describe, expect, it } from 'vitest';
import { uniqueName } from './unique-name.js';

describe('uniqueName', () => {
  it('differs on every call and keeps to the prefix and separator', () => {
    const names = new Set(Array.from({ length: 100 }, () => uniqueName('it-topic')));
    expect(names.size).toBe(100);
    for (const name of names) {
      expect(name).toMatch(/^it-topic-[a-z0-9]+-[0-9a-f]{8}$/);
    }
  });

  it('builds ClickHouse identifiers and S3 bucket names', () => {
    expect(uniqueName('it_db', '_')).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
    expect(uniqueName('it-bucket').length).toBeLessThanOrEqual(63);
  });

  it.each(['', 'Upper', '9lives', 'sp ace'])('refuses the prefix %j', (prefix) => {
    expect(() => uniqueName(prefix)).toThrow();
  });
});
