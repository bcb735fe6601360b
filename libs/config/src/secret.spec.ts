import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { REDACTED, Secret, secret } from './secret.js';

describe('Secret', () => {
  const value = 's3cr3t-value';
  const held = new Secret(value);

  it('reveals the value only when asked', () => {
    expect(held.reveal()).toBe(value);
  });

  it('never shows the value through string conversion, JSON or inspect', () => {
    expect(String(held)).toBe(REDACTED);
    expect(`${held}`).toBe(REDACTED);
    expect(JSON.stringify({ held })).toBe(`{"held":"${REDACTED}"}`);
    expect(inspect({ held }, { showHidden: true, depth: 10 })).not.toContain(value);
    expect(Object.keys(held)).toEqual([]);
  });
});

describe('secret()', () => {
  it('wraps the parsed value in a Secret', () => {
    const parsed = secret().parse('pw');
    expect(parsed).toBeInstanceOf(Secret);
    expect(parsed.reveal()).toBe('pw');
  });

  it('applies the inner schema first', () => {
    expect(secret(z.string().min(8)).safeParse('short').success).toBe(false);
    expect(secret(z.string().default('')).parse(undefined).reveal()).toBe('');
  });
});
