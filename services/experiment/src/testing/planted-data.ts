import { sql, type ClickHouseClient, type Sql } from '@kuroshio/clickhouse';
import { grpcJs } from '@kuroshio/contracts';

const v1 = grpcJs.experiment.v1;

export const DAY = 86_400_000;
export const PAYMENT = 'Carrier Billing Payment';
export const SUPPORT_CALL = 'Support Call';

/** A population of units with a planted effect, generated inside ClickHouse (numbers(), cityHash64). */
export interface Planted {
  readonly key: string;
  readonly units: number;
  /** Share of units exposed to the control (the weights say 50/50: anything else is an SRM). */
  readonly controlShare: number;
  readonly conversion: { readonly control: number; readonly treatment: number };
  /** Added to every treatment payment's amount. */
  readonly amountLift: number;
  /** First exposures spread over 10 days from here. */
  readonly startMs: number;
}

const unit = (p: Planted) => sql`concat(${`${p.key}-u`}, toString(number))`;
const isControl = (p: Planted) => sql`(cityHash64(number, ${p.key}, 'variant') % 10000 < ${Math.round(p.controlShare * 10_000)})`;
const exposedAt = (p: Planted) => sql`(${p.startMs} + intDiv(number * ${10 * DAY}, ${p.units}))`;
const uniform = (p: Planted, salt: string) => sql`(cityHash64(number, ${p.key}, ${salt}) % 10000)`;

function eventRows(p: Planted, event: string, time: Sql, properties: Sql, where: Sql, fanOut: Sql = sql`[0]`): Sql {
  return sql`
    INSERT INTO events (message_id, tenant, source, channel, type, event, customer_id, user_id, anonymous_id, event_time, event_time_ms, received_at, properties, context, traits, schema_version)
    SELECT concat(${`${p.key}-${event}-`}, toString(number), '-', toString(k)), 'bank', 'it', 'app', 'track', ${event}, ${unit(p)}, ${unit(p)}, '',
      toDateTime(intDiv(t, 1000), 'UTC'), t, now(), ${properties}, '{}', '{}', 1
    FROM (SELECT number, arrayJoin(${fanOut}) AS k, ${time} + k * 3600000 AS t FROM numbers(${p.units}))
    WHERE ${where}`;
}

/**
 * Seeds exposures and outcome events straight into ClickHouse (not through Kafka):
 * - every unit exposed once, 10% of them again a day later (analysis must start at the first);
 * - payments 2 days after exposure with probability `conversion.<arm>`, amount 50..149 (+ lift in treatment);
 * - a pre-exposure payment of the same base amount for half the units (the CUPED covariate);
 * - 0-2 support calls per unit, the same in both arms; a payment 40 days after exposure (outside the 30-day window).
 */
export async function plant(clickhouse: Pick<ClickHouseClient, 'command'>, p: Planted): Promise<void> {
  const variant = sql`if(${isControl(p)}, 'control', 'treatment')`;
  await clickhouse.command(sql`
    INSERT INTO exposures (experiment_key, variant, unit_id, revision, recorded_by, request_id, exposed_at, exposed_at_ms)
    SELECT ${p.key}, ${variant}, ${unit(p)}, 2, 'experiment', '', toDateTime(intDiv(t, 1000), 'UTC'), t
    FROM (SELECT number, arrayJoin(if(number % 10 = 0, [0, 1], [0])) AS again, ${exposedAt(p)} + again * ${DAY} AS t FROM numbers(${p.units}))`);
  const base = sql`(50 + cityHash64(number, ${p.key}, 'amount') % 100)`;
  const converts = sql`${uniform(p, 'convert')} < if(${isControl(p)}, ${Math.round(p.conversion.control * 10_000)}, ${Math.round(p.conversion.treatment * 10_000)})`;
  const amount = sql`concat('{"amount":', toString(${base} + if(${isControl(p)}, 0, ${p.amountLift})), ',"channel":"carrier"}')`;
  await clickhouse.command(eventRows(p, PAYMENT, sql`${exposedAt(p)} + ${2 * DAY}`, amount, converts));
  await clickhouse.command(eventRows(p, PAYMENT, sql`${exposedAt(p)} - ${5 * DAY}`, sql`concat('{"amount":', toString(${base}), '}')`, sql`${uniform(p, 'pre')} < 5000`));
  await clickhouse.command(eventRows(p, PAYMENT, sql`${exposedAt(p)} + ${40 * DAY}`, sql`'{"amount":1000}'`, sql`${uniform(p, 'late')} < 500`));
  await clickhouse.command(eventRows(p, SUPPORT_CALL, sql`${exposedAt(p)} + ${DAY}`, sql`'{}'`, sql`1`, sql`range(toUInt64(${uniform(p, 'calls')} % 3))`));
}

/** A definition over the planted events: conversion (primary), revenue with CUPED, support calls (guardrail). */
export function plantedDefinition(key: string, hypothesis = 'The challenger model raises carrier-billing payments') {
  const thirtyDays = { seconds: 30 * 86_400, nanos: 0 };
  return {
    key,
    hypothesis,
    owner: 'growth-analytics',
    unit: 'customer',
    variants: [
      { key: 'control', weight: 50, control: true, description: 'champion', model: { modelName: 'bad-debt', version: 3 } },
      { key: 'treatment', weight: 50, description: 'challenger', model: { modelName: 'bad-debt', version: 4 } },
    ],
    metrics: [
      { key: 'paid_within_30d', kind: v1.MetricKind.METRIC_KIND_CONVERSION, event: PAYMENT, window: thirtyDays, role: v1.MetricRole.METRIC_ROLE_PRIMARY, direction: v1.ImprovementDirection.IMPROVEMENT_DIRECTION_INCREASE, description: 'Carrier Billing Payment within 30 days' },
      {
        key: 'revenue_30d',
        kind: v1.MetricKind.METRIC_KIND_SUM,
        event: PAYMENT,
        property: 'amount',
        window: thirtyDays,
        cupedLookback: thirtyDays,
        role: v1.MetricRole.METRIC_ROLE_SECONDARY,
        direction: v1.ImprovementDirection.IMPROVEMENT_DIRECTION_INCREASE,
      },
      { key: 'support_calls', kind: v1.MetricKind.METRIC_KIND_COUNT, event: SUPPORT_CALL, window: thirtyDays, role: v1.MetricRole.METRIC_ROLE_GUARDRAIL, direction: v1.ImprovementDirection.IMPROVEMENT_DIRECTION_DECREASE },
    ],
  };
}
