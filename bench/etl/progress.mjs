// Polls a counter until it is done and derives a steady-state rate that neither side's start-up
// (Nest boot, group join) nor the granularity of its first visible rows (the Kafka engine flushes
// blocks of 65 536 rows) can flatter: the rows that arrived after the first poll that saw any,
// over the time from that poll to the one that saw the last.
const POLL_MS = 200;

export async function pollUntil({ read, done, timeoutMs, what, log }) {
  const deadline = performance.now() + timeoutMs;
  let first;
  let lastLog = 0;
  for (;;) {
    const at = performance.now();
    const count = await read();
    if (first === undefined && count > 0) first = { at, count };
    if (done(count)) {
      const seconds = first ? (at - first.at) / 1000 : 0;
      return { doneAt: at, count, firstSeenAt: first?.at ?? at, rowsPerSec: seconds > 0 ? (count - first.count) / seconds : null };
    }
    if (at > deadline) throw new Error(`${what}: not done after ${timeoutMs} ms (at ${count})`);
    if (at - lastLog > 5_000) {
      log(`${what}: ${count}`);
      lastLog = at;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
