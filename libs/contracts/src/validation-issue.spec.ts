import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeIssues, formatPath, parseWithIssues } from './validation-issue.js';

describe('formatPath', () => {
  it('writes paths as JavaScript would', () => {
    expect(formatPath([])).toBe('');
    expect(formatPath(['properties', 'items', 2, 'sku'])).toBe('properties.items[2].sku');
    expect(formatPath(['properties', 'a.b', 'has space', '__proto__'])).toBe('properties["a.b"]["has space"].__proto__');
    expect(formatPath(['traits', '客戶'])).toBe('traits["客戶"]');
  });
});

describe('describeIssues', () => {
  it('joins issues into one reason line', () => {
    expect(
      describeIssues([
        { path: '', code: 'invalid_type', message: 'expected object' },
        { path: 'event', code: 'required', message: 'required for track' },
      ]),
    ).toBe('(root): expected object; event: required for track');
  });
});

describe('parseWithIssues', () => {
  const schema = z.object({ a: z.string(), b: z.enum(['x', 'y']), c: z.number().optional() });

  it('reports a missing field or enum as required, and a wrong one by its zod code', () => {
    const result = parseWithIssues(schema, { c: 'nope' });
    expect(result).toEqual({
      ok: false,
      issues: [
        { path: 'a', code: 'required', message: 'required' },
        { path: 'b', code: 'required', message: 'required' },
        { path: 'c', code: 'invalid_type', message: expect.stringContaining('expected number') },
      ],
    });
  });

  it('returns the parsed value', () => {
    expect(parseWithIssues(schema, { a: '1', b: 'x' })).toEqual({ ok: true, value: { a: '1', b: 'x' } });
  });
});
