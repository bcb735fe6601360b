import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@kuroshio/clickhouse';
import { LINE_MESSAGE_EVENT, PAYMENT_EVENT, SeededRandom, type TelecomEvent } from '@kuroshio/telecom-sim';
import { ingestEvents, type IngestReport } from './ingest-step.js';
import type { PlatformEndpoints } from './platform-endpoints.js';
import type { Progress } from './progress.js';
import { waitForWarehouse } from './warehouse-arrival.js';

/** What happens after customers were scored: the effect the scenario plants, per variant. */
export interface OutcomePlan {
  /** Share of each variant's customers that pay a carrier bill after being scored. */
  readonly paymentRate: Readonly<Record<string, number>>;
  /** Share of each variant's customers that write to the LINE account; the same in every variant. */
  readonly contactRate: number;
}

/** A customer in the experiment and the variant inference served it. */
export interface ExposedCustomer {
  readonly customerId: string;
  readonly variant: string;
}

export interface PlantedVariant {
  readonly variant: string;
  readonly customers: number;
  readonly payments: number;
  readonly contacts: number;
}

export interface PlantedOutcomes {
  readonly events: readonly TelecomEvent[];
  readonly byVariant: readonly PlantedVariant[];
}

export interface PlantingOptions {
  readonly seed: number;
  /** Outcomes belong to one experiment: its key seeds the draw and the message ids. */
  readonly experimentKey: string;
  /** When the outcomes happen: after every exposure. */
  readonly at: Date;
  /** What a paying customer pays (e.g. their latest charge); a seeded amount otherwise. */
  readonly amountOf?: (customerId: string) => number | undefined;
}

const PAYMENT_METHODS = ['convenience_store', 'bank_transfer', 'card', 'auto_debit'] as const;
const CONTACT_TEXT = '收到繳費提醒了，請問帳單可以晚幾天繳嗎？';

/**
 * The outcome events of an experiment, as the billing system and LINE would send them. Within each
 * variant exactly round(rate × customers) customers pay (and round(contactRate × customers) write),
 * chosen by a shuffle seeded with the seed, the experiment key and the variant: the planted effect
 * is then exactly the difference in rates (up to rounding), which the analysis has to recover, and
 * an A/A comparison does not turn significant by chance when a run's customer ids (and so its
 * split) change. Deterministic for the same customers, seed and key.
 */
export function plantOutcomes(customers: readonly ExposedCustomer[], plan: OutcomePlan, options: PlantingOptions): PlantedOutcomes {
  const byVariant = new Map<string, string[]>();
  for (const { customerId, variant } of customers) {
    const members = byVariant.get(variant) ?? [];
    members.push(customerId);
    byVariant.set(variant, members);
  }
  const events: TelecomEvent[] = [];
  const summary: PlantedVariant[] = [];
  const timestamp = options.at.toISOString();
  const id = (customerId: string, kind: string) => uuidOf(`${options.seed}|${options.experimentKey}|${customerId}|${kind}`);
  for (const [variant, members] of [...byVariant].sort(([a], [b]) => a.localeCompare(b))) {
    const rate = plan.paymentRate[variant];
    if (rate === undefined || !(rate >= 0 && rate <= 1)) throw new Error(`the outcome plan has no payment rate in [0, 1] for variant "${variant}"`);
    const random = new SeededRandom(seedOf(`${options.seed}|${options.experimentKey}|${variant}`));
    const sorted = [...members].sort();
    const payers = shuffled(sorted, random).slice(0, Math.round(rate * sorted.length));
    const writers = shuffled(sorted, random).slice(0, Math.round(plan.contactRate * sorted.length));
    for (const customerId of payers) {
      const amount = options.amountOf?.(customerId) ?? Math.max(30, Math.round(250 * Math.exp(0.4 * random.normal())));
      const paymentId = id(customerId, 'payment-id');
      events.push({
        messageId: id(customerId, 'payment'),
        type: 'track',
        event: PAYMENT_EVENT,
        userId: customerId,
        timestamp,
        context: { channel: 'app' },
        properties: { paymentId: `pay-${paymentId}`, amount, currency: 'TWD', paidAt: timestamp, method: random.pick(PAYMENT_METHODS) },
      });
    }
    for (const customerId of writers) {
      events.push({ messageId: id(customerId, 'contact'), type: 'track', event: LINE_MESSAGE_EVENT, userId: customerId, timestamp, context: { channel: 'line' }, properties: { text: CONTACT_TEXT } });
    }
    summary.push({ variant, customers: sorted.length, payments: payers.length, contacts: writers.length });
  }
  return { events, byVariant: summary };
}

/** Sends the outcomes through the collector (payments over gRPC, LINE messages by webhook) and waits until the ETL has landed them. */
export async function sendOutcomes(endpoints: PlatformEndpoints, clickhouse: ClickHouseClient, outcomes: PlantedOutcomes, progress: Progress): Promise<IngestReport> {
  const report = await ingestEvents(endpoints, outcomes.events, progress);
  if (report.rejected.length > 0) throw new Error(`the collector rejected ${report.rejected.length} outcome events, e.g. ${report.rejected.slice(0, 3).join('; ')}`);
  await waitForWarehouse(
    clickhouse,
    outcomes.events.map((event) => event.messageId),
    progress,
    { timeoutMs: 300_000, pollMs: 1_000 },
  );
  return report;
}

function shuffled<T>(items: readonly T[], random: SeededRandom): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = random.int(0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function seedOf(text: string): number {
  return createHash('sha256').update(text).digest().readInt32BE(0);
}

function uuidOf(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
