import { Secret } from '@kuroshio/config';
import { describe, expect, it } from 'vitest';
import { ObjectStore } from './object-store.js';

// Nothing listens here; these tests must fail before any request is made.
const store = new ObjectStore({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', accessKey: 'k', secretKey: new Secret('s') });

describe('ObjectStore.put', () => {
  it.each(['sha256', 'SHA256', 'x-amz-meta-sha256'])('refuses user metadata named %s, which would forge the checksum', async (name) => {
    await expect(store.put('bucket', 'key', 'body', { metadata: { [name]: 'forged' } })).rejects.toThrow(/reserved/);
  });
});
