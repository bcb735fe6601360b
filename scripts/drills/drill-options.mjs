// Flags and environment of `scripts/drill`: which faults, how much load, how long to wait.
import { parseArgs } from 'node:util';

export const FAULTS = ['collector', 'etl', 'kafka'];

// Small enough for CI (the whole drill in about two minutes); --full is the soak.
const PROFILES = {
  small: { durationS: 40, rate: 400, concurrency: 4, batch: 20, catchUpS: 120 },
  full: { durationS: 180, rate: 3000, concurrency: 16, batch: 100, catchUpS: 300 },
};

const ENV = { durationS: 'DRILL_DURATION_S', rate: 'DRILL_RATE', concurrency: 'DRILL_CONCURRENCY', batch: 'DRILL_BATCH', catchUpS: 'DRILL_CATCH_UP_S' };

export const USAGE = `usage: scripts/drill [collector|etl|kafka ...] [options]

Under a steady /v1/batch load on the collector, kill -9 the collector (and restart it), kill -9 the
ETL (and restart it), restart the Kafka broker; then check that every acknowledged event is on
events.raw, in ClickHouse exactly once and in the lake (raw/ and clean/) exactly once.
Faults named on the command line run in the order given; none named = all three.

  --full                 the larger profile (${PROFILES.full.durationS} s, ${PROFILES.full.rate} events/s, ${PROFILES.full.concurrency} clients, batches of ${PROFILES.full.batch})
  --duration S           load duration in seconds (env DRILL_DURATION_S; small profile ${PROFILES.small.durationS})
  --rate N               events per second, all clients together (DRILL_RATE; ${PROFILES.small.rate})
  --concurrency N        concurrent clients (DRILL_CONCURRENCY; ${PROFILES.small.concurrency})
  --batch N              events per /v1/batch request (DRILL_BATCH; ${PROFILES.small.batch})
  --catch-up S           how long the ETL may take to catch up afterwards (DRILL_CATCH_UP_S; ${PROFILES.small.catchUpS})
  --json FILE            also write the verdict as JSON
  --no-settle            inject each fault on schedule without waiting for the previous one to be
                         over (overlapping faults: e.g. the broker restarting while the ETL rejoins)
  --keep                 keep the run's ClickHouse database and lake prefix for inspection
  --no-lock              do not take /tmp/kuroshio-bench.lock (handled by the bash entry)
  --no-build             do not rebuild the services first (handled by the bash entry)
Ports: DRILL_COLLECTOR_HTTP_PORT [7001], DRILL_COLLECTOR_GRPC_PORT [7101], DRILL_ETL_HTTP_PORT [7002].
Exit status: 0 every check held, 1 a check failed, 2 the drill could not run.`;

function positiveInt(name, text) {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, not "${text}"`);
  return value;
}

export function parseDrillOptions(argv, env = process.env) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      full: { type: 'boolean', default: false },
      duration: { type: 'string' },
      rate: { type: 'string' },
      concurrency: { type: 'string' },
      batch: { type: 'string' },
      'catch-up': { type: 'string' },
      json: { type: 'string' },
      keep: { type: 'boolean', default: false },
      'no-settle': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return { help: true };
  const faults = positionals.length > 0 ? positionals : FAULTS;
  for (const fault of faults) if (!FAULTS.includes(fault)) throw new Error(`unknown fault "${fault}" (expected ${FAULTS.join(', ')})`);
  const profile = { ...PROFILES[values.full ? 'full' : 'small'] };
  const flags = { durationS: values.duration, rate: values.rate, concurrency: values.concurrency, batch: values.batch, catchUpS: values['catch-up'] };
  for (const [key, envName] of Object.entries(ENV)) {
    const text = flags[key] ?? env[envName];
    if (text !== undefined && text !== '') profile[key] = positiveInt(key, text);
  }
  if (profile.batch > 2500) throw new Error('batch must be at most 2500 (COLLECTOR_MAX_BATCH_EVENTS)');
  return {
    help: false,
    profile: values.full ? 'full' : 'small',
    faults,
    ...profile,
    json: values.json,
    keep: values.keep,
    settle: !values['no-settle'],
    ports: {
      collectorHttp: positiveInt('DRILL_COLLECTOR_HTTP_PORT', env.DRILL_COLLECTOR_HTTP_PORT ?? '7001'),
      collectorGrpc: positiveInt('DRILL_COLLECTOR_GRPC_PORT', env.DRILL_COLLECTOR_GRPC_PORT ?? '7101'),
      etlHttp: positiveInt('DRILL_ETL_HTTP_PORT', env.DRILL_ETL_HTTP_PORT ?? '7002'),
    },
  };
}
