import type { Channel } from './envelope-fields.js';
import type { EventEnvelope, InboundEvent } from './envelope-schema.js';

export interface IngestEnrichment {
  /** Tenant and source of the write key the event came with (from validated configuration). */
  tenant: string;
  source: string;
  receivedAt: Date;
  /** The source's channel, used when the event does not name one. */
  defaultChannel: Channel;
}

/** Turns a validated client event into the envelope the collector produces. */
export function enrichInboundEvent(event: InboundEvent, enrichment: IngestEnrichment): EventEnvelope {
  return {
    ...event,
    context: { ...event.context, channel: event.context?.channel ?? enrichment.defaultChannel },
    receivedAt: enrichment.receivedAt.toISOString(),
    tenant: enrichment.tenant,
    source: enrichment.source,
  };
}
