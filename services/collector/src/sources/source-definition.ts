import { CHANNELS, ENVELOPE_LIMITS, SLUG_PATTERN, type Channel } from '@kuroshio/contracts';
import { Secret } from '@kuroshio/config';
import { z } from 'zod';

/** A per-source token bucket: a sustained rate with room for bursts (events, not requests). */
export interface RateLimit {
  readonly eventsPerSecond: number;
  readonly burst: number;
}

/** One sender of events: an app, a web property, a LINE official account, a fleet of IoT gateways. */
export interface Source {
  readonly tenant: string;
  /** Unique across tenants: it names the LINE webhook URL and labels metrics. */
  readonly id: string;
  /** Channel of events that name none (`context.channel`). */
  readonly channel: Channel;
  /** Channels the source may send for; an event naming another is rejected. */
  readonly allowedChannels: readonly Channel[];
  /**
   * Lower-case hex SHA-256 of the write key; the key itself is never configured or stored. A
   * Secret all the same: an unsalted digest of a human-chosen key can be brute-forced, so it stays
   * out of the logged configuration.
   */
  readonly writeKeySha256: Secret;
  readonly lineChannelSecret: Secret | undefined;
  readonly rateLimit: RateLimit | undefined;
}

const slug = z.string().min(1).max(ENVELOPE_LIMITS.maxSlugLength).regex(SLUG_PATTERN, 'lower-case letters, digits, ".", "_" and "-"');
const channel = z.enum(CHANNELS);

/** A source as written in COLLECTOR_SOURCES or the sources file. */
export const sourceEntrySchema = z
  .strictObject({
    tenant: slug,
    source: slug,
    channel,
    allowedChannels: z.array(channel).min(1).optional(),
    writeKeySha256: z.string().regex(/^[0-9a-f]{64}$/, 'lower-case hex SHA-256 of the write key (see `hash-write-key`)'),
    // Inline for local files; in a deployment name an environment variable (a Kubernetes Secret).
    lineChannelSecret: z.string().min(1).optional(),
    lineChannelSecretEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).optional(),
    rateLimit: z.strictObject({ eventsPerSecond: z.number().positive(), burst: z.number().int().positive() }).optional(),
  })
  .refine((entry) => entry.lineChannelSecret === undefined || entry.lineChannelSecretEnv === undefined, {
    message: 'set lineChannelSecret or lineChannelSecretEnv, not both',
    path: ['lineChannelSecret'],
  });

export type SourceEntry = z.output<typeof sourceEntrySchema>;

/** The list, with the cross-entry rules: unique source ids and unique write keys. */
export const sourceListSchema = z.array(sourceEntrySchema).superRefine((entries, ctx) => {
  const seenIds = new Map<string, number>();
  const seenKeys = new Map<string, number>();
  entries.forEach((entry, index) => {
    const sameId = seenIds.get(entry.source);
    if (sameId !== undefined) ctx.addIssue({ code: 'custom', path: [index, 'source'], message: `duplicate source id (also entry ${sameId})` });
    seenIds.set(entry.source, index);
    const sameKey = seenKeys.get(entry.writeKeySha256);
    if (sameKey !== undefined) {
      ctx.addIssue({ code: 'custom', path: [index, 'writeKeySha256'], message: `write key shared with entry ${sameKey}; give each source its own` });
    }
    seenKeys.set(entry.writeKeySha256, index);
  });
});

/** Resolves an entry into a Source; `env` provides `lineChannelSecretEnv` values. */
export function sourceFromEntry(entry: SourceEntry, env: Readonly<Record<string, string | undefined>>): Source {
  const secretValue = entry.lineChannelSecretEnv === undefined ? entry.lineChannelSecret : env[entry.lineChannelSecretEnv];
  return {
    tenant: entry.tenant,
    id: entry.source,
    channel: entry.channel,
    allowedChannels: entry.allowedChannels ?? [...CHANNELS],
    writeKeySha256: new Secret(entry.writeKeySha256),
    lineChannelSecret: secretValue === undefined ? undefined : new Secret(secretValue),
    rateLimit: entry.rateLimit,
  };
}
