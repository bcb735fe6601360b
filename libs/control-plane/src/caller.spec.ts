import { Metadata } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { callerOf } from './caller.js';

describe('callerOf', () => {
  const metadata = new Metadata();
  metadata.set('x-kuroshio-actor', 'alice@bank.example');
  metadata.set('x-kuroshio-reason', 'from metadata');

  it('takes the actor from metadata and prefers the request reason over the metadata one', () => {
    expect(callerOf(metadata, 'from request')).toEqual({ actor: 'alice@bank.example', reason: 'from request' });
    expect(callerOf(metadata)).toEqual({ actor: 'alice@bank.example', reason: 'from metadata' });
  });

  it('gives an empty actor when the metadata has none (the domain answers UNAUTHENTICATED)', () => {
    expect(callerOf(new Metadata())).toEqual({ actor: '', reason: '' });
    expect(callerOf(undefined)).toEqual({ actor: '', reason: '' });
  });
});
