// Experiment assignment on the hot path: `assignVariant` (plan checks, SHA-256 of key/salt/unit,
// weighted lookup) and `bucketOf` (checks + hash), in calls per CPU-second of this process, beside a
// bare `crypto.hash('sha256', input)` of the same pre-built input strings in the same run. The
// ratio says what the library adds on top of the hash it cannot avoid.
//
// In process, no stack needed; needs the built lib (npx tsc -b libs/assignment). Rounds alternate
// between the three loops so machine load hits each alike; figures are medians over the rounds.
import { hash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

const UNITS = Number(process.env.ASSIGNMENT_BENCH_UNITS || 200_000);
const ROUNDS = Number(process.env.ASSIGNMENT_BENCH_ROUNDS || 9);

const EXPERIMENT = {
  key: 'checkout-button-colour',
  salt: '2026-11',
  variants: [
    { name: 'control', weight: 50 },
    { name: 'green', weight: 25 },
    { name: 'orange', weight: 25 },
  ],
  trafficAllocation: 0.8,
};

export default async function run(ctx) {
  const loadAtStart = Number(loadavg()[0].toFixed(2));
  const dist = join(ctx.root, 'libs/assignment/dist/index.js');
  if (!existsSync(dist)) throw new Error('build the assignment lib first: npx tsc -b libs/assignment');
  const { assignVariant, bucketOf } = await import(dist);

  // Token-like unit ids, as the ETL writes them.
  const units = Array.from({ length: UNITS }, (_, i) => `tok_cust_${(i * 2_654_435_761 >>> 0).toString(32).padStart(7, '0')}`);
  const inputs = units.map((u) => `${EXPERIMENT.key}\u0000${EXPERIMENT.salt}\u0000${u}`);

  const loops = {
    assignVariant: () => {
      let assigned = 0;
      for (const u of units) if (assignVariant(EXPERIMENT, u) !== null) assigned++;
      return assigned;
    },
    bucketOf: () => {
      let sum = 0;
      for (const u of units) sum += bucketOf(EXPERIMENT.key, EXPERIMENT.salt, u);
      return sum;
    },
    sha256: () => {
      let sum = 0;
      for (const input of inputs) sum += hash('sha256', input, 'buffer')[0];
      return sum;
    },
  };

  // Warm-up: let V8 optimise every loop before anything is timed.
  for (const loop of Object.values(loops)) loop();

  const rates = { assignVariant: [], bucketOf: [], sha256: [] };
  const wall = { assignVariant: [], bucketOf: [], sha256: [] };
  let sink = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, loop] of Object.entries(loops)) {
      const cpu = process.cpuUsage();
      const started = performance.now();
      sink += loop();
      const seconds = performance.now() - started;
      const used = process.cpuUsage(cpu);
      rates[name].push(UNITS / ((used.user + used.system) / 1e6));
      wall[name].push(UNITS / (seconds / 1000));
    }
  }
  const assignedShare = loops.assignVariant() / UNITS;
  ctx.log(`sink ${sink > 0 ? 'ok' : 'empty'}; ${(assignedShare * 100).toFixed(1)}% of units in the experiment`);

  const reference = { name: 'node-crypto-sha256/hashes-per-cpu-sec', value: median(rates.sha256) };
  const params = {
    cpus: cpus().length,
    load_avg_1m_at_start: loadAtStart,
    node: process.version,
    units_per_round: UNITS,
    rounds: ROUNDS,
    experiment: EXPERIMENT,
    assigned_share: assignedShare,
    note: 'calls per CPU-second of this process (user + system), median over rounds; reference is crypto.hash("sha256", key\\0salt\\0unit) on pre-built strings in the same run',
    wall_clock_calls_per_sec_median: {
      assignVariant: median(wall.assignVariant),
      bucketOf: median(wall.bucketOf),
      sha256: median(wall.sha256),
    },
    per_round_calls_per_cpu_sec: rates,
  };
  return [
    { name: 'assignment/assign-variant-per-cpu-sec', unit: 'calls/s', value: median(rates.assignVariant), better: 'higher', reference, params },
    { name: 'assignment/bucket-of-per-cpu-sec', unit: 'calls/s', value: median(rates.bucketOf), better: 'higher', reference, params },
  ];
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
