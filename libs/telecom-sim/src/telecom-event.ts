import type { Channel } from './customers.js';

/** A Segment-spec message as a channel would send it (the collector adds tenant, source, receivedAt). */
export interface TelecomEvent {
  readonly messageId: string;
  readonly type: 'track' | 'identify' | 'page' | 'screen';
  readonly event?: string;
  readonly name?: string;
  readonly userId: string;
  readonly timestamp: string;
  readonly context: { readonly channel: Channel };
  readonly properties?: Record<string, unknown>;
  readonly traits?: Record<string, unknown>;
}

export const CHARGE_EVENT = 'Carrier Billing Charge';
export const PAYMENT_EVENT = 'Carrier Billing Payment';
export const LINE_MESSAGE_EVENT = 'LINE Message Received';
