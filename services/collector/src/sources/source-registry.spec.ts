import { DomainError } from '@kuroshio/service-kit';
import { describe, expect, it } from 'vitest';
import { testSource } from '../testing/test-sources.js';
import { SourceRegistry } from './source-registry.js';

const web = testSource({ id: 'web-bank', writeKey: 'key-web' });
const line = testSource({ id: 'line-oa', writeKey: 'key-line', lineChannelSecret: 'secret' });
const registry = new SourceRegistry([web, line]);

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('SourceRegistry.authenticate', () => {
  it('finds the source of a write key', () => {
    expect(registry.authenticate({ kind: 'key', writeKey: 'key-web' })).toBe(web);
    expect(registry.authenticate({ kind: 'key', writeKey: 'key-line' })).toBe(line);
  });

  it.each([
    [{ kind: 'none' } as const, 'missing_write_key'],
    [{ kind: 'malformed' } as const, 'malformed_authorization'],
    [{ kind: 'key', writeKey: 'key-web ' } as const, 'unknown_write_key'],
    [{ kind: 'key', writeKey: 'KEY-WEB' } as const, 'unknown_write_key'],
    [{ kind: 'key', writeKey: 'x'.repeat(10_000) } as const, 'unknown_write_key'],
  ])('refuses %j as UNAUTHENTICATED (%s)', (credential, reason) => {
    const error = refusal(() => registry.authenticate(credential));
    expect(error.code).toBe('UNAUTHENTICATED');
    expect(error.reason).toBe(reason);
  });

  it('never accepts the configured hash itself as a key', () => {
    expect(refusal(() => registry.authenticate({ kind: 'key', writeKey: web.writeKeySha256.reveal() })).reason).toBe('unknown_write_key');
  });

  it('refuses everything when no source is configured', () => {
    expect(refusal(() => new SourceRegistry([]).authenticate({ kind: 'key', writeKey: 'key-web' })).code).toBe('UNAUTHENTICATED');
  });

  it('finds webhook sources by id', () => {
    expect(registry.byId('line-oa')).toBe(line);
    expect(registry.byId('nope')).toBeUndefined();
  });
});
