// Where the run's events ended up: ClickHouse `events` of the run's database and the run's lake
// prefix (raw/ gzip NDJSON parsed here, clean/ Parquet read by pyarrow, a reader that is not ours).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { sql } from '@kuroshio/clickhouse';
import { runMessageId } from './drill-topics.mjs';

export function countInto(counts, id) {
  counts.set(id, (counts.get(id) ?? 0) + 1);
}

/**
 * Counts per messageId three ways: `FINAL` before any merge (what a query sees), every row before
 * OPTIMIZE (replayed batches not yet folded), and every row after `OPTIMIZE TABLE … FINAL`.
 */
export async function warehouseFindings(clickhouse, tenant) {
  const totals = async (final) => {
    const [row] = await clickhouse.query(
      final
        ? sql`SELECT count() AS rows, uniqExact(message_id) AS ids FROM events FINAL WHERE tenant = ${tenant}`
        : sql`SELECT count() AS rows, uniqExact(message_id) AS ids FROM events WHERE tenant = ${tenant}`,
    );
    return { rows: Number(row.rows), ids: Number(row.ids) };
  };
  const final = await totals(true);
  const beforeOptimize = await totals(false);
  await clickhouse.command(sql`OPTIMIZE TABLE events FINAL`);
  const afterOptimize = await totals(false);
  const finalAfterOptimize = await totals(true);
  const counts = new Map();
  for (const row of await clickhouse.query(sql`SELECT message_id FROM events WHERE tenant = ${tenant}`)) countInto(counts, row.message_id);
  return { final, beforeOptimize, afterOptimize, finalAfterOptimize, counts };
}

const READ_IDS = `
import glob, sys, pyarrow.parquet as pq, pyarrow.compute as pc
tenant = sys.argv[2]
for path in sorted(glob.glob(sys.argv[1] + "/*.parquet")):
    table = pq.read_table(path, columns=["message_id", "tenant"])
    mine = table.filter(pc.equal(table.column("tenant"), tenant))
    for message_id in mine.column("message_id").to_pylist():
        print(message_id)
`;

export async function mapLimit(items, limit, task) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await task(items[next++]);
    }),
  );
}

/** raw/ and clean/ counts per messageId of the tenant, under the run's lake prefix. */
export async function lakeFindings({ store, bucket, prefix, tenant, python }) {
  const keys = [];
  for await (const object of store.list(bucket, prefix)) keys.push(object.key);
  const raw = new Map();
  const clean = new Map();
  const directory = await mkdtemp(join(tmpdir(), 'drill-lake-'));
  let rawObjects = 0;
  let cleanObjects = 0;
  try {
    await mapLimit(keys, 8, async (key) => {
      if (key.startsWith(`${prefix}raw/`)) {
        rawObjects += 1;
        const text = gunzipSync(await store.get(bucket, key)).toString('utf8');
        for (const line of text.split('\n')) {
          if (!line.trim()) continue;
          const archived = JSON.parse(line);
          const value = archived.valueEncoding === 'base64' ? Buffer.from(archived.value ?? '', 'base64') : archived.value;
          const id = runMessageId(value, tenant);
          if (id !== undefined) countInto(raw, id);
        }
      } else if (key.startsWith(`${prefix}clean/`)) {
        cleanObjects += 1;
        await writeFile(join(directory, `${cleanObjects}.parquet`), await store.get(bucket, key));
      }
    });
    if (cleanObjects > 0) {
      const { stdout } = await promisify(execFile)(python, ['-c', READ_IDS, directory, tenant], { maxBuffer: 1024 * 1024 * 1024 }).catch((error) => {
        throw new Error(`pyarrow must be installed in .tools/venv (pip install -r services/etl/requirements-test.txt): ${error.message}`);
      });
      for (const id of stdout.split('\n')) if (id) countInto(clean, id);
    }
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
  return { raw, clean, rawObjects, cleanObjects };
}
