import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@kuroshio/telemetry';
import { stackEndpoints, uniqueName } from '@kuroshio/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseClient } from './clickhouse-client.js';
import { readMigrationFiles } from './migration-files.js';
import { migrate } from './migrator.js';
import { dateTimeText } from './sql-literal.js';
import { ident, joinSql, sql } from './sql-template.js';

const MIGRATIONS = fileURLToPath(new URL('../../../infra/clickhouse/migrations', import.meta.url));
const logger = createLogger({ service: 'clickhouse-int-test', level: 'warn' });

describe('ClickHouse against the local server', () => {
  const database = uniqueName('it_clickhouse', '_');
  const options = { ...stackEndpoints().clickhouse, database, logger };
  let client: ClickHouseClient;

  beforeAll(async () => {
    await migrate(options, MIGRATIONS);
    client = new ClickHouseClient(options);
  });

  afterAll(async () => {
    await client?.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`);
    await client?.close();
  });

  it('applied every migration once; running again changes nothing', async () => {
    const files = await readMigrationFiles(MIGRATIONS);
    expect(files.slice(0, 2).map((f) => f.name)).toEqual(['events', 'dead_letters']);
    const history = await client.query<{ version: number; name: string }>(sql`SELECT version, name FROM schema_migrations ORDER BY version`);
    expect(history).toEqual(files.map((f) => ({ version: f.version, name: f.name })));
    expect(await migrate(options, MIGRATIONS)).toEqual({ database, applied: [], alreadyApplied: files.length });
    expect(await client.query(sql`SELECT count() AS n FROM schema_migrations`)).toEqual([{ n: String(files.length) }]);
  });

  it('round-trips an event through the events table', async () => {
    const eventTime = new Date('2026-03-04T05:06:07.089Z');
    const row = {
      message_id: 'msg-1',
      tenant: 'bank-a',
      source: 'web-bank',
      channel: 'web',
      type: 'track',
      event: 'Transfer Completed',
      customer_id: 'u-42',
      user_id: 'u-42',
      anonymous_id: '',
      event_time: dateTimeText(eventTime),
      event_time_ms: eventTime.getTime(),
      received_at: dateTimeText(new Date('2026-03-04T05:06:08Z')),
      properties: JSON.stringify({ amount: 1200, currency: 'JPY', note: "it's \\ \"quoted\" 日本" }),
      context: JSON.stringify({ channel: 'web' }),
      traits: '{}',
      schema_version: 1,
    };
    await client.insert('events', [row]);
    const [read] = await client.query<Record<string, unknown>>(
      sql`SELECT *, toUnixTimestamp(ingested_at) > 0 AS has_ingested_at FROM events
          WHERE tenant = ${'bank-a'} AND customer_id = ${'u-42'} AND event_time >= ${new Date('2026-03-04T05:06:07Z')}`,
    );
    expect(read).toMatchObject({ ...row, event_time_ms: String(row.event_time_ms), has_ingested_at: 1 });
    expect(JSON.parse(String(read?.properties))).toEqual(JSON.parse(row.properties));
  });

  it('stores thousands of hostile strings written with escaped literals and reads them back unchanged', async () => {
    await client.command(sql`CREATE TABLE IF NOT EXISTS hostile_strings (run UInt32, i UInt32, s String) ENGINE = Memory`);
    const hostile = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({
        unit: fc.constantFrom("'", '\\', '\0', '\n', '\r', '\t', '\b', '\f', '\x1a', '\x7f', '`', '"', ';', '-', '/', '*', '{', '}', '?', '😀', '\u2028', 'x', '0'),
        maxLength: 40,
      }),
      fc.constantFrom("'; DROP TABLE hostile_strings; --", "\\'; DROP TABLE events; --", "'' OR 1=1 --", '\\x27', '\\', "\\'", '/* */', '\u0000'),
    );
    let run = 0;
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(hostile, { minLength: 200, maxLength: 200 }), async (values) => {
        run += 1;
        // Through the VALUES fast path of INSERT ...
        await client.command(sql`INSERT INTO hostile_strings (run, i, s) VALUES ${joinSql(values.map((s, i) => sql`(${run}, ${i}, ${s})`), ', ')}`);
        const stored = await client.query<{ s: string }>(sql`SELECT s FROM hostile_strings WHERE run = ${run} ORDER BY i`);
        expect(stored.map((row) => row.s)).toEqual(values);
        // ... and through the SQL expression parser, compared on the server.
        const [matches] = await client.query<{ n: string }>(
          sql`SELECT count() AS n FROM hostile_strings WHERE run = ${run} AND s = arrayElement(${values}, i + 1)`,
        );
        expect(matches?.n).toBe('200');
        checked += values.length;
      }),
      { numRuns: 50 },
    );
    expect(checked).toBe(10_000);
    expect(await client.query(sql`SELECT count() AS n FROM hostile_strings`)).toEqual([{ n: '10000' }]);
  });

  it('refuses to run when an applied migration file was edited', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'migrations-'));
    const scratch = { ...options, database: uniqueName('it_clickhouse_edit', '_') };
    try {
      await cp(MIGRATIONS, directory, { recursive: true });
      await migrate(scratch, directory);
      await writeFile(join(directory, '0002_dead_letters.sql'), 'CREATE TABLE IF NOT EXISTS dead_letters (x UInt8) ENGINE = Memory;');
      await expect(migrate(scratch, directory)).rejects.toThrow(/0002_dead_letters.sql changed after it was applied/);
    } finally {
      await client.command(sql`DROP DATABASE IF EXISTS ${ident(scratch.database)}`);
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('answers the readiness check', async () => {
    await expect(client.check()).resolves.toBeUndefined();
    const unreachable = new ClickHouseClient({ ...options, url: 'http://127.0.0.1:1', checkTimeoutMs: 1_000 });
    await expect(unreachable.check()).rejects.toThrow();
    await unreachable.close();
  });
});
