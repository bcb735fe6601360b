import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ClickHouseClient, dateTimeText, ident, sql } from '@kuroshio/clickhouse';
import { createLogger } from '@kuroshio/telemetry';
import { stackEndpoints, uniqueName } from '@kuroshio/testing';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const logger = createLogger({ service: 'feature-store-test', level: 'warn' });

/** An event as a test states it; the rest of the `events` row is filled in. */
export interface TestEvent {
  readonly messageId: string;
  readonly customerId: string;
  readonly type?: string;
  readonly event?: string;
  readonly timeMs: number;
  readonly properties?: Record<string, unknown>;
}

/** A row of ClickHouse `events` (infra/clickhouse/migrations/0001_events.sql), as the ETL writes it. */
export function eventsRow(event: TestEvent) {
  return {
    message_id: event.messageId,
    tenant: 'test',
    source: 'test',
    channel: 'app',
    type: event.type ?? 'track',
    event: event.event ?? '',
    customer_id: event.customerId,
    user_id: event.customerId,
    anonymous_id: '',
    event_time: dateTimeText(new Date(event.timeMs)),
    event_time_ms: event.timeMs,
    received_at: dateTimeText(new Date(event.timeMs)),
    properties: JSON.stringify(event.properties ?? {}),
    context: '{}',
    traits: '{}',
    schema_version: 1,
  };
}

export interface TestWarehouse {
  readonly database: string;
  readonly clickhouse: ClickHouseClient;
  /** A fresh, empty copy of `events` (same engine and key) for one test. */
  freshEventsTable(prefix?: string): Promise<string>;
  insertEvents(table: string, events: readonly TestEvent[]): Promise<void>;
  drop(): Promise<void>;
}

/** A uniquely named database migrated by the migrator CLI, as a deploy job would (needs `libs/clickhouse` built). */
export async function createTestWarehouse(prefix = 'it_fs'): Promise<TestWarehouse> {
  const endpoints = stackEndpoints();
  const database = uniqueName(prefix, '_');
  await promisify(execFile)(process.execPath, ['libs/clickhouse/dist/cli/migrate.js'], { cwd: repoRoot, env: { ...process.env, CLICKHOUSE_DATABASE: database } });
  const clickhouse = new ClickHouseClient({ ...endpoints.clickhouse, database, logger, requestTimeoutMs: 120_000 });
  let tables = 0;
  return {
    database,
    clickhouse,
    async freshEventsTable(tablePrefix = 'events_copy') {
      tables += 1;
      const table = `${tablePrefix}_${tables}`;
      await clickhouse.command(sql`CREATE TABLE ${ident(table)} AS events`);
      return table;
    },
    async insertEvents(table, events) {
      await clickhouse.insert(table, events.map(eventsRow));
    },
    async drop() {
      await clickhouse.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`).catch(() => undefined);
      await clickhouse.close();
    },
  };
}

/** A test event as the definition (`evaluateFeature`, `evaluateEventLabel`) reads it. */
export function asViewEvent(event: TestEvent) {
  return {
    entityId: event.customerId,
    messageId: event.messageId,
    eventTimeMs: event.timeMs,
    type: event.type ?? 'track',
    event: event.event ?? '',
    properties: event.properties ?? {},
  };
}

/** The bytes of an object as the ArrayBuffer hyparquet reads. */
export function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  return new Uint8Array(bytes).buffer;
}
