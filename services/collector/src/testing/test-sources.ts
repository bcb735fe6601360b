import type { Channel } from '@kuroshio/contracts';
import { Secret } from '@kuroshio/config';
import { hashWriteKey } from '../auth/write-key.js';
import type { RateLimit, Source } from '../sources/source-definition.js';

/** A source for tests, with `writeKey` as its (otherwise never stored) key. */
export function testSource(options: {
  id?: string;
  tenant?: string;
  writeKey?: string;
  channel?: Channel;
  allowedChannels?: Channel[];
  lineChannelSecret?: string;
  rateLimit?: RateLimit;
} = {}): Source {
  return {
    tenant: options.tenant ?? 'bank-a',
    id: options.id ?? 'web-bank',
    channel: options.channel ?? 'web',
    allowedChannels: options.allowedChannels ?? ['web', 'app', 'line', 'iot', 'branch', 'callcenter'],
    writeKeySha256: new Secret(hashWriteKey(options.writeKey ?? 'key-web-bank')),
    lineChannelSecret: options.lineChannelSecret === undefined ? undefined : new Secret(options.lineChannelSecret),
    rateLimit: options.rateLimit,
  };
}
