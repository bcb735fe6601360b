import { describe, expect, it } from 'vitest';
import { rejection } from './rejection.js';

class Refusal extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

describe('rejection', () => {
  it('returns the error of the expected type, rethrows any other, and fails on a resolved promise', async () => {
    expect((await rejection(Promise.reject(new Refusal('no')), Refusal)).reason).toBe('no');
    await expect(rejection(Promise.reject(new TypeError('other')), Refusal)).rejects.toThrow(TypeError);
    await expect(rejection(Promise.resolve(1), Refusal)).rejects.toThrow(/expected a rejection with Refusal/);
  });
});
