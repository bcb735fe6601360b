// What an idle kafkajs connection costs (libs/kafka/src/kafkajs-request-queue.ts): CPU of a process
// holding one connected idempotent producer that has sent 20 records and then has nothing to do,
// with the platform's request-queue fix and, as the reference in the same run, with kafkajs as
// shipped (whose queue re-arms a 1 ms timer forever). Separate child processes, rounds alternating,
// medians quoted. Needs the local stack's broker.
import { join } from 'node:path';

const ROUNDS = 3;
const IDLE_SECONDS = 5;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export default async function run(ctx) {
  await ctx.exec('npx', ['tsc', '-b', 'libs/kafka'], { timeoutMs: 5 * 60_000 });
  const child = join(ctx.root, 'bench', 'kafkajs-idle', 'idle-producer.mjs');
  const measure = async (withFix) => {
    const { stdout } = await ctx.exec(process.execPath, [child, ...(withFix ? ['--with-fix'] : [])], { env: { ...ctx.env, IDLE_SECONDS: String(IDLE_SECONDS) }, timeoutMs: 120_000 });
    return JSON.parse(stdout.trim().split('\n').pop()).cpuMs / IDLE_SECONDS;
  };
  const fixed = [];
  const shipped = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    shipped.push(await measure(false));
    fixed.push(await measure(true));
    ctx.log(`round ${round + 1}: idle CPU ${fixed.at(-1).toFixed(1)} ms/s with the fix, ${shipped.at(-1).toFixed(1)} ms/s as shipped`);
  }
  return [
    {
      name: 'kafkajs-idle/producer-cpu',
      unit: 'ms/s',
      value: median(fixed),
      better: 'lower',
      reference: { name: 'kafkajs-as-shipped/producer-cpu', value: median(shipped) },
      params: { rounds: ROUNDS, idleSeconds: IDLE_SECONDS, withFix: fixed, asShipped: shipped, producer: 'idempotent, maxInFlightRequests 1, one broker' },
    },
  ];
}
