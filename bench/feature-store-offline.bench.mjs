// Point-in-time training set of 1,000,000 label rows (target <= 60 s), computed by the feature store's
// own export code (services/feature-store/dist) against ClickHouse 18.16 and S3, beside a reference:
// the same joins (label rows x the views' events of the same customer) as plain counts per label row,
// without the point-in-time conditions and aggregates — what the join itself costs on this machine.
//
// 1. A fresh database (migrated) gets FS_BENCH_EVENTS synthetic events for FS_BENCH_CUSTOMERS customers
//    over 180 days, generated inside ClickHouse (INSERT ... SELECT FROM numbers()), not through Kafka.
// 2. FS_BENCH_LABEL_ROWS label rows (random customer and instant) go through exportTrainingSet with
//    every feature of the repository's current views: labels uploaded, point-in-time queries per view
//    and chunk, Parquet, S3, manifest.
// 3. Reference: the same label table and events, one plain-count join per view, rows read into Node.
// 4. All of it again on the current ClickHouse engine (chDB = ClickHouse 26.9, ADR 0024), as
//    feature-store-offline/*-current: the same SQL on the server users run. FS_BENCH_CURRENT=0 skips it.
// Everything the run created is dropped / removed afterwards.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { cpuInterval, stackPids } from './etl/cpu-accounting.mjs';
import { generateEvents, referenceJoins } from './feature-store-offline/synthetic-warehouse.mjs';
import { onBothClickHouses } from './lib/current-clickhouse.mjs';

const LABEL_ROWS = Number(process.env.FS_BENCH_LABEL_ROWS || 1_000_000);
const EVENTS = Number(process.env.FS_BENCH_EVENTS || 3_000_000);
const CUSTOMERS = Number(process.env.FS_BENCH_CUSTOMERS || 100_000);
const CHUNK_ROWS = Number(process.env.FS_BENCH_CHUNK_ROWS || 250_000);
const TARGET_SECONDS = 60;
const DAY_MS = 86_400_000;

export default async function run(ctx) {
  if (!existsSync(join(ctx.root, 'services/feature-store/dist/offline/training-set-export.js'))) {
    throw new Error('build the feature store first: npx tsc -b services/feature-store');
  }
  return onBothClickHouses(ctx, { skipCurrent: process.env.FS_BENCH_CURRENT === '0' }, (env, server) =>
    measure(ctx, env, { suffix: server.suffix, clickhousePid: server.current?.pid ?? stackPids(ctx.stackDir).clickhouse }),
  );
}

/** The whole measurement on one ClickHouse: the stack's server, or the current engine. */
async function measure(ctx, env, engine) {
  const { log } = ctx;
  const loadAtStart = Number(loadavg()[0].toFixed(2));
  const dist = (path) => import(join(ctx.root, path));
  const [{ ClickHouseClient, trustedSql, ident, sql }, { ObjectStore }, { Secret }, { createLogger }] = await Promise.all([
    dist('libs/clickhouse/dist/index.js'),
    dist('libs/object-store/dist/index.js'),
    dist('libs/config/dist/index.js'),
    dist('libs/telemetry/dist/index.js'),
  ]);
  const [{ exportTrainingSet }, { loadFeatureViews }, { FeatureViewRegistry }, { labelRowSet }, { createLabelTable, dropLabelTable }] = await Promise.all([
    dist('services/feature-store/dist/offline/training-set-export.js'),
    dist('services/feature-store/dist/views/feature-view-loader.js'),
    dist('services/feature-store/dist/views/feature-view-registry.js'),
    dist('services/feature-store/dist/offline/label-rows.js'),
    dist('services/feature-store/dist/offline/label-table.js'),
  ]);
  const logger = createLogger({ service: 'feature-store-bench', level: 'warn' });
  const id = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const database = `bench_fs_${id}`;
  const exportId = `bench-${id}`;
  const bucket = env.S3_LAKE_BUCKET;
  const store = new ObjectStore({ endpoint: env.S3_ENDPOINT, region: env.S3_REGION, accessKey: env.S3_ACCESS_KEY, secretKey: new Secret(env.S3_SECRET_KEY) });
  const clickhouse = new ClickHouseClient({
    url: env.CLICKHOUSE_URL,
    database,
    username: env.CLICKHOUSE_USER,
    password: new Secret(env.CLICKHOUSE_PASSWORD),
    logger,
    requestTimeoutMs: 600_000,
  });
  const registry = new FeatureViewRegistry(await loadFeatureViews(join(ctx.root, 'services/feature-store/feature-views')));
  const views = registry.list({ pageSize: 500 }).views;
  const features = registry.resolve(views.flatMap((view) => view.features.map((feature) => ({ featureView: view.name, feature: feature.name, version: 0 }))));
  const endMs = Date.UTC(2026, 5, 1);
  try {
    await ctx.exec(process.execPath, ['libs/clickhouse/dist/cli/migrate.js'], { env: { ...env, CLICKHOUSE_DATABASE: database }, timeoutMs: 60_000 });
    log(`generating ${EVENTS} events for ${CUSTOMERS} customers in ${database}.events`);
    const generated = await generateEvents({ clickhouse, trustedSql, events: EVENTS, customers: CUSTOMERS, endMs });
    log(`generated in ${generated.seconds.toFixed(1)} s: ${JSON.stringify(generated.byEvent)}`);

    const rows = new Array(LABEL_ROWS);
    for (let i = 0; i < LABEL_ROWS; i++) {
      // 10 observations per customer, spread over the last 150 days, so the 90-day windows are full.
      rows[i] = { entityId: `cust-${i % CUSTOMERS}`, labelTimeMs: endMs - Math.floor(Math.random() * 150 * DAY_MS), label: Math.random() < 0.1 ? 1 : 0 };
    }

    log(`export: ${LABEL_ROWS} label rows x ${features.length} features of ${views.length} views, chunks of ${CHUNK_ROWS}`);
    const cpu = cpuInterval({ clickhouse: [engine.clickhousePid], s3: [stackPids(ctx.stackDir).s3], bench_node: [process.pid] });
    const started = performance.now();
    const { manifest, timings } = await exportTrainingSet(
      { source: { clickhouse, eventsTable: 'events' }, store, bucket, chunkRows: CHUNK_ROWS, now: () => endMs + DAY_MS },
      { exportId, features, labels: { kind: 'rows', rows }, createdAt: new Date() },
    );
    const exportSeconds = (performance.now() - started) / 1000;
    const cpuUse = cpu.stop();
    log(`export: ${exportSeconds.toFixed(1)} s, ${manifest.rowCount} rows, timings ${JSON.stringify(timings)}`);
    if (manifest.rowCount !== LABEL_ROWS) throw new Error(`exported ${manifest.rowCount} rows of ${LABEL_ROWS}`);

    log('reference: the same joins as plain counts');
    const set = labelRowSet(rows);
    const labels = `feature_store_labels_reference${id}`;
    await createLabelTable(clickhouse, labels, set);
    let reference;
    try {
      reference = await referenceJoins({ clickhouse, sql, ident, views, labelsTable: labels, eventsTable: 'events' });
    } finally {
      await dropLabelTable(clickhouse, labels);
    }
    log(`reference: ${reference.seconds.toFixed(1)} s for ${reference.queries} joins, ${reference.joinedRows} joined rows`);

    const queryPerView = Math.ceil(LABEL_ROWS / CHUNK_ROWS) * views.length;
    const [{ version }] = await clickhouse.query(sql`SELECT version() AS version`);
    const params = {
      clickhouse_version: version,
      label_rows: LABEL_ROWS,
      events: EVENTS,
      customers: CUSTOMERS,
      feature_views: views.map((view) => `${view.name}@${view.version}`),
      features: features.length,
      chunk_rows: CHUNK_ROWS,
      point_in_time_queries: queryPerView,
      timings_seconds: Object.fromEntries(Object.entries(timings).map(([key, ms]) => [key.replace(/Ms$/, ''), Number((ms / 1000).toFixed(2))])),
      parquet_bytes: (await store.stat(bucket, manifest.dataObject)).size,
      reference_joined_rows: reference.joinedRows,
      target_seconds: TARGET_SECONDS,
      cpu_during_export: cpuUse,
      cpus: cpus().length,
      load_avg_1m_at_start: loadAtStart,
      generated_events_seconds: Number(generated.seconds.toFixed(1)),
      note: 'ClickHouse (clickhouse_version), SeaweedFS and this runner share a 2-core machine; reference = the same label-row x event joins per view as plain counts (no time conditions, no aggregates), rows read into Node the same way',
    };
    return [
      {
        name: `feature-store-offline/training-set-1m-seconds${engine.suffix}`,
        unit: 's',
        value: Number(exportSeconds.toFixed(2)),
        better: 'lower',
        reference: { name: `clickhouse/plain-join-count-seconds${engine.suffix}`, value: Number(reference.seconds.toFixed(2)) },
        params,
      },
      {
        name: `feature-store-offline/point-in-time-queries-seconds${engine.suffix}`,
        unit: 's',
        value: Number((timings.queryMs / 1000).toFixed(2)),
        better: 'lower',
        reference: { name: `clickhouse/plain-join-count-seconds${engine.suffix}`, value: Number(reference.seconds.toFixed(2)) },
        params: { clickhouse_version: version, label_rows: LABEL_ROWS, events: EVENTS, features: features.length, point_in_time_queries: queryPerView, chunk_rows: CHUNK_ROWS },
      },
    ];
  } finally {
    await clickhouse.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`).catch(() => undefined);
    await clickhouse.close();
    for await (const object of store.list(bucket, `training-sets/${exportId}/`)) await store.remove(bucket, object.key).catch(() => undefined);
  }
}
