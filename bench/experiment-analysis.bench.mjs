// Experiment analysis over 10,000,000 exposures: the service's own code (services/experiment/dist:
// ClickHouseAnalysis — the one sufficient-statistics query over first_exposures and events, in the
// shape it picks for the server's version, then @kuroshio/stats) against ClickHouse 18.16, beside a
// reference in the same run: a plain count() scan.
//
// 1. A fresh database (migrated) gets EXP_BENCH_UNITS exposures (10% of units exposed twice, so the
//    first-exposure step has work; the first_exposures view fills as they land), ~12% conversions with
//    an amount, pre-exposure payments for the CUPED covariate and support calls — generated inside
//    ClickHouse with numbers(), not through Kafka. `events` is then merged (OPTIMIZE FINAL): every
//    month is settled, so the analysis reads it without FINAL, as it reads history in production.
// 2. Rounds alternate: reference `SELECT count() ... WHERE experiment_key = k AND exposed_at_ms < t`,
//    then the full analysis of three metrics (conversion, revenue with CUPED, count) with the daily
//    cumulative lift. Median seconds over the rounds; target <= 3 s for 10M exposures. Every statement
//    of an analysis runs under its own query_id with log_queries=1, so the server's CPU seconds per
//    analysis (user + system, system.query_log) are reported too: robust where wall time is not on
//    a shared 2-core machine. The query carries the events lower bound the service derives from the
//    experiment's creation (decision 0020); here it prunes nothing.
// 3. Once, the query this one replaced (same statistics required), for a before/after under the same load.
// 4. Once more after a replayed event lands in every month (a level-0 part each): every month is read
//    FINAL, the worst case (params.unsettled_analysis_seconds); the results must not change.
// 5. Then all of it again on the current ClickHouse engine (chDB = ClickHouse 26.9, the engine of
//    scripts/clickhouse-current, ADR 0024; installed by scripts/setup), as
//    experiment-analysis/seconds-10m-exposures-current: what a current server does with the same SQL.
//    chDB keeps no query_log, so its CPU is the engine process's (/proc), around each analysis.
//    EXP_BENCH_CURRENT=0 skips it.
// Needs the stack and built code (npx tsc -b services/experiment). Run under the bench lock:
//   flock /tmp/kuroshio-bench.lock npm run bench experiment-analysis
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { onBothClickHouses } from './lib/current-clickhouse.mjs';

const UNITS = Number(process.env.EXP_BENCH_UNITS || 10_000_000);
const ROUNDS = Number(process.env.EXP_BENCH_ROUNDS || 5);
const DAY_MS = 86_400_000;
const KEY = 'bench-analysis';

export default async function run(ctx) {
  if (!existsSync(join(ctx.root, 'services/experiment/dist/adapters/clickhouse-analysis.js'))) {
    throw new Error('build the experiment service first: npx tsc -b services/experiment');
  }
  return onBothClickHouses(ctx, { skipCurrent: process.env.EXP_BENCH_CURRENT === '0' }, (env, server) =>
    measure(ctx, env, { suffix: server.suffix, processCpuSeconds: server.current?.cpuSeconds ?? null }),
  );
}

/**
 * The whole measurement on one ClickHouse: the stack's server (CPU from its query_log) or the
 * current engine (`processCpuSeconds`: the engine process's CPU, as chDB keeps no query_log).
 */
async function measure(ctx, env, engine) {
  const { log } = ctx;
  const loadAtStart = Number(loadavg()[0].toFixed(2));
  const dist = (path) => import(join(ctx.root, path));
  const [{ ClickHouseClient, sql, ident, joinSql }, { Secret }, { createLogger }, { ClickHouseAnalysis, statisticsRows, statisticsShapeFor }, { computeResults }, { checkExperimentInput }, { referenceStatisticsSql }] = await Promise.all([
    dist('libs/clickhouse/dist/index.js'),
    dist('libs/config/dist/index.js'),
    dist('libs/telemetry/dist/index.js'),
    dist('services/experiment/dist/adapters/clickhouse-analysis.js'),
    dist('services/experiment/dist/analysis/experiment-results.js'),
    dist('services/experiment/dist/domain/experiment-input.js'),
    dist('services/experiment/dist/testing/reference-statistics-sql.js'),
  ]);
  const logger = createLogger({ service: 'experiment-bench', level: 'warn' });
  const database = `bench_exp_${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const clickhouse = new ClickHouseClient({ url: env.CLICKHOUSE_URL, database, username: env.CLICKHOUSE_USER, password: new Secret(env.CLICKHOUSE_PASSWORD), logger, requestTimeoutMs: 900_000 });
  const spec = checkExperimentInput(
    {
      key: KEY,
      hypothesis: 'benchmark',
      description: '',
      owner: '',
      unit: '',
      salt: 'bench',
      variants: [
        { key: 'control', description: '', weight: 1, control: true, model: null },
        { key: 'treatment', description: '', weight: 1, control: false, model: null },
      ],
      targeting: { traitFilters: [], trafficFraction: null },
      metrics: [
        { key: 'paid_30d', description: '', kind: 'conversion', event: 'Carrier Billing Payment', property: '', filters: [], windowMs: 30 * DAY_MS, role: 'primary', direction: 'increase', cupedLookbackMs: null },
        { key: 'revenue_30d', description: '', kind: 'sum', event: 'Carrier Billing Payment', property: 'amount', filters: [], windowMs: 30 * DAY_MS, role: 'secondary', direction: 'increase', cupedLookbackMs: 30 * DAY_MS },
        { key: 'support_calls', description: '', kind: 'count', event: 'Support Call', property: '', filters: [], windowMs: 30 * DAY_MS, role: 'guardrail', direction: 'decrease', cupedLookbackMs: null },
      ],
    },
    () => 'bench',
  );
  const startMs = Date.UTC(2026, 0, 1);
  const asOfMs = startMs + 60 * DAY_MS;
  const logged = loggedClient(database, env);
  const analysis = new ClickHouseAnalysis(logged);
  // Server CPU seconds (user + system) of the statements run through `logged` since the last call,
  // or of the engine process since the last call.
  let processCpuMark = engine.processCpuSeconds?.() ?? 0;
  const serverCpuSeconds = async () => {
    const ids = logged.takeQueryIds();
    if (engine.processCpuSeconds) {
      const [before, after] = [processCpuMark, engine.processCpuSeconds()];
      processCpuMark = after;
      return Number((after - before).toFixed(2));
    }
    if (ids.length === 0) return 0;
    await clickhouse.command(sql`SYSTEM FLUSH LOGS`);
    const [row] = await clickhouse.query(sql`
      SELECT count() AS n, sum(ProfileEvents.Values[indexOf(ProfileEvents.Names, 'UserTimeMicroseconds')] + ProfileEvents.Values[indexOf(ProfileEvents.Names, 'SystemTimeMicroseconds')]) AS us
      FROM system.query_log WHERE type = 2 AND query_id IN (${joinSql(ids.map((id) => sql`${id}`), ', ')})`);
    if (Number(row.n) !== ids.length) throw new Error(`query_log holds ${row.n} of ${ids.length} statements`);
    return Number((Number(row.us) / 1e6).toFixed(2));
  };
  try {
    await ctx.exec(process.execPath, ['libs/clickhouse/dist/cli/migrate.js'], { env: { ...env, CLICKHOUSE_DATABASE: database }, timeoutMs: 120_000 });
    const generated = performance.now();
    log(`generating ${UNITS} units' exposures and events in ${database}`);
    const unit = sql`concat('tok_cust_', toString(number))`;
    const isControl = sql`(cityHash64(number, 'v') % 2 = 0)`;
    const exposedAt = sql`(${startMs} + intDiv(number * ${14 * DAY_MS}, ${UNITS}))`;
    await clickhouse.command(sql`
      INSERT INTO exposures (experiment_key, variant, unit_id, revision, recorded_by, request_id, exposed_at, exposed_at_ms)
      SELECT ${KEY}, if(${isControl}, 'control', 'treatment'), ${unit}, 2, 'inference', '', toDateTime(intDiv(t, 1000), 'UTC'), t
      FROM (SELECT number, arrayJoin(if(number % 10 = 0, [0, 1], [0])) AS again, ${exposedAt} + again * ${DAY_MS} AS t FROM numbers(${UNITS}))`);
    const events = (event, offset, where, properties) => sql`
      INSERT INTO events (message_id, tenant, source, channel, type, event, customer_id, user_id, anonymous_id, event_time, event_time_ms, received_at, properties, context, traits, schema_version)
      SELECT concat(${event}, toString(number)), 'bank', 'bench', 'app', 'track', ${event}, ${unit}, ${unit}, '', toDateTime(intDiv(t, 1000), 'UTC'), t, now(), ${properties}, '{}', '{}', 1
      FROM (SELECT number, ${exposedAt} + ${offset} AS t FROM numbers(${UNITS})) WHERE ${where}`;
    await clickhouse.command(events('Carrier Billing Payment', 2 * DAY_MS, sql`cityHash64(number, 'c') % 100 < if(${isControl}, 10, 12)`, sql`concat('{"amount":', toString(50 + cityHash64(number, 'a') % 100), '}')`));
    await clickhouse.command(events('Carrier Billing Payment', -5 * DAY_MS, sql`cityHash64(number, 'p') % 100 < 20`, sql`concat('{"amount":', toString(50 + cityHash64(number, 'a') % 100), '}')`));
    await clickhouse.command(events('Support Call', DAY_MS, sql`cityHash64(number, 's') % 100 < 30`, sql`'{}'`));
    await clickhouse.command(sql`OPTIMIZE TABLE events FINAL`);
    const counts = await clickhouse.query(sql`SELECT (SELECT count() FROM exposures) AS exposures, (SELECT count() FROM events) AS events`);
    log(`generated in ${((performance.now() - generated) / 1000).toFixed(1)} s: ${JSON.stringify(counts[0])}`);

    // As the service asks (experiment-analysis.ts): no first exposure more than a day before the
    // experiment's creation, here its first day. Every bench event is after that minus the lookback.
    const query = { experimentKey: KEY, asOfMs, variants: spec.variants.map((v) => v.key), metrics: spec.metrics, exposuresFromMs: startMs - DAY_MS };
    const reference = [];
    const analysisSeconds = [];
    const analysisCpuSeconds = [];
    let last;
    let lastRows;
    for (let round = 0; round < ROUNDS; round++) {
      let started = performance.now();
      await clickhouse.query(sql`SELECT count() AS n FROM exposures WHERE experiment_key = ${KEY} AND exposed_at_ms < ${asOfMs}`);
      reference.push((performance.now() - started) / 1000);
      await serverCpuSeconds(); // the count() above is not the analysis'
      started = performance.now();
      const rows = await analysis.statistics(query);
      lastRows = rows;
      last = computeResults(spec, rows, { alpha: 0.05, correction: 'holm', disableCuped: false, includeCumulative: true, srmThreshold: 0.001, asOfMs, computedAtMs: Date.now(), windowStartMs: startMs });
      analysisSeconds.push((performance.now() - started) / 1000);
      analysisCpuSeconds.push(await serverCpuSeconds());
      log(`round ${round + 1}: count() ${reference.at(-1).toFixed(3)} s, analysis ${analysisSeconds.at(-1).toFixed(3)} s (server CPU ${analysisCpuSeconds.at(-1)} s)`);
    }
    // The query this one replaced (raw exposures ANY LEFT JOIN events, all FINAL), once, same data and load.
    await serverCpuSeconds();
    const previousStarted = performance.now();
    const previousRows = statisticsRows(query, await logged.query(referenceStatisticsSql(query)));
    const previousSeconds = (performance.now() - previousStarted) / 1000;
    const previousCpuSeconds = await serverCpuSeconds();
    if (JSON.stringify(previousRows) !== JSON.stringify(lastRows)) throw new Error('the previous query gives other statistics');
    log(`previous query (before first_exposures): ${previousSeconds.toFixed(3)} s (server CPU ${previousCpuSeconds} s), same statistics`);
    // A replay of one existing event per month: a second part in each, so none is settled any more.
    await clickhouse.command(sql`
      INSERT INTO events SELECT * FROM events WHERE message_id IN (SELECT any(message_id) FROM events GROUP BY toYYYYMM(event_time))`);
    await serverCpuSeconds();
    const unsettledStarted = performance.now();
    const unsettledRows = await analysis.statistics(query);
    const unsettledSeconds = (performance.now() - unsettledStarted) / 1000;
    const unsettledCpuSeconds = await serverCpuSeconds();
    if (JSON.stringify(unsettledRows) !== JSON.stringify(lastRows) || unsettledRows.length === 0) throw new Error('the FINAL read changed the statistics');
    log(`every month unsettled (read FINAL): analysis ${unsettledSeconds.toFixed(3)} s (server CPU ${unsettledCpuSeconds} s)`);
    const units = last.sampleRatio.allocations.reduce((sum, a) => sum + a.units, 0);
    if (units !== UNITS) throw new Error(`analysis counted ${units} units of ${UNITS}`);
    const paid = last.metrics[0].comparisons[0];
    log(`paid_30d relative lift ${(paid.relativeLift * 100).toFixed(2)}% [${(paid.relativeLiftCi.lower * 100).toFixed(2)}, ${(paid.relativeLiftCi.upper * 100).toFixed(2)}], SRM p ${last.sampleRatio.pValue.toPrecision(3)}`);
    const [{ version }] = await clickhouse.query(sql`SELECT version() AS version`);
    const params = {
      clickhouse_version: version,
      statistics_shape: statisticsShapeFor(version),
      units: UNITS,
      exposures: Number(counts[0].exposures),
      events: Number(counts[0].events),
      metrics: spec.metrics.map((m) => `${m.key}:${m.kind}${m.cupedLookbackMs ? '+cuped' : ''}`),
      cumulative_days: paid.cumulative.length,
      rounds: ROUNDS,
      cpus: cpus().length,
      load_avg_1m_at_start: loadAtStart,
      target_seconds: 3,
      analysis_seconds_per_round: analysisSeconds,
      analysis_server_cpu_seconds_per_round: analysisCpuSeconds,
      analysis_server_cpu_seconds_median: median(analysisCpuSeconds),
      unsettled_analysis_seconds: unsettledSeconds,
      unsettled_analysis_server_cpu_seconds: unsettledCpuSeconds,
      previous_query_seconds: previousSeconds,
      previous_query_server_cpu_seconds: previousCpuSeconds,
      reference_seconds_per_round: reference,
      note: 'wall-clock seconds, median over rounds; reference is a plain count() over the same exposures in the same run; events merged (settled months, read without FINAL); unsettled_analysis_seconds: one analysis after a replay in every month (all read FINAL); previous_query_seconds: the query before first_exposures (testing/reference-statistics-sql.ts), once, same statistics; *_server_cpu_seconds: user + system CPU of the statements in system.query_log (log_queries=1 on the analysis client only)',
    };
    return { name: `experiment-analysis/seconds-10m-exposures${engine.suffix}`, unit: 's', value: median(analysisSeconds), better: 'lower', reference: { name: `clickhouse-count-scan/seconds${engine.suffix}`, value: median(reference) }, params };
  } finally {
    await clickhouse.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`).catch(() => undefined);
    await clickhouse.close();
    await logged.close();
  }
}

/**
 * What ClickHouseAnalysis needs of a client (query, command, database), on the same driver settings
 * as @kuroshio/clickhouse's client plus log_queries=1 and a query_id per statement, so that the
 * server's CPU for each analysis can be read from system.query_log.
 */
function loggedClient(database, env) {
  const driver = createClient({
    url: env.CLICKHOUSE_URL,
    database,
    username: env.CLICKHOUSE_USER,
    password: env.CLICKHOUSE_PASSWORD ?? '',
    request_timeout: 900_000,
    compression: { request: false, response: false },
    application: 'kuroshio-bench',
    clickhouse_settings: { log_queries: 1, output_format_json_quote_64bit_integers: 1 },
    log: { level: ClickHouseLogLevel.ERROR },
  });
  let ids = [];
  const nextId = () => {
    const id = `${database}_${randomBytes(6).toString('hex')}`;
    ids.push(id);
    return id;
  };
  return {
    database,
    async query(statement) {
      const result = await driver.query({ query: statement.text, format: 'JSONEachRow', query_id: nextId() });
      return result.json();
    },
    async command(statement) {
      await driver.command({ query: statement.text, query_id: nextId() });
    },
    takeQueryIds() {
      const taken = ids;
      ids = [];
      return taken;
    },
    close: () => driver.close(),
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
