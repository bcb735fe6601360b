// A bounded, paced /v1/batch load with unique messageIds. Every request's answer is recorded: a 200
// acknowledges the events it accepted; anything else (an error status, a reset connection, a
// timeout) leaves them unacknowledged — they may or may not have landed. A failed request is sent
// again with the same messageIds, as Segment SDKs retry, up to `attempts` times: a first copy that
// reached Kafka before the collector died and its retry are then both on events.raw, and only the
// ETL's deduplication keeps the event once downstream — the path the drill exists to exercise.
import { setTimeout as sleep } from 'node:timers/promises';

const PAD = 'x'.repeat(160);

export class SteadyLoad {
  constructor({ url, writeKey, tenantTag, rate, concurrency, batch, requestTimeoutMs = 20_000, attempts = 4 }) {
    Object.assign(this, { url, rate, concurrency, batch, requestTimeoutMs, tenantTag, attempts });
    this.authorization = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
    this.acknowledged = new Set();
    this.rejected = new Set();
    this.unacknowledged = new Set();
    /** messageIds sent more than once (a failed request retried). */
    this.retried = new Set();
    this.outcomes = new Map();
    this.requests = 0;
    this.sent = 0;
    this.stopping = false;
    this.nextSlot = 0;
    this.timeline = [];
  }

  start() {
    this.startedAt = Date.now();
    this.nextSlot = this.startedAt;
    this.workers = Array.from({ length: this.concurrency }, (_, worker) => this.work(worker));
  }

  /** Stops issuing requests and waits for the ones in flight to be answered (or to time out). */
  async stop() {
    this.stopping = true;
    await Promise.all(this.workers);
    this.stoppedAt = Date.now();
  }

  count(outcome) {
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
  }

  async work(worker) {
    let seq = 0;
    while (!this.stopping) {
      // One shared schedule: the clients together send `rate` events per second.
      const slot = Math.max(Date.now(), this.nextSlot);
      this.nextSlot = slot + (this.batch * 1000) / this.rate;
      if (slot > Date.now()) await sleep(slot - Date.now());
      if (this.stopping) break;
      const events = Array.from({ length: this.batch }, () => {
        seq += 1;
        return {
          type: 'track',
          messageId: `${this.tenantTag}-w${worker}-${seq}`,
          event: 'Drill Ping',
          userId: `drill-customer-${(worker * 7919 + seq) % 97}`,
          timestamp: new Date().toISOString(),
          properties: { worker, seq, pad: PAD },
        };
      });
      this.sent += events.length;
      for (let attempt = 1; ; attempt++) {
        this.requests += 1;
        if (await this.send(events)) break;
        if (attempt === this.attempts || this.stopping) break;
        for (const event of events) this.retried.add(event.messageId);
        // Backing off, as SDKs do: a refused or failing collector is not hammered in a tight loop.
        await sleep(200 * attempt);
      }
    }
  }

  async send(events) {
    const sentAt = Date.now();
    let outcome;
    let accepted;
    try {
      const response = await fetch(`${this.url}/v1/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: this.authorization },
        body: JSON.stringify({ batch: events }),
        signal: AbortSignal.timeout(this.requestTimeoutMs),
      });
      const body = await response.json().catch(() => ({}));
      if (response.status === 200) {
        const rejected = new Set((body.rejected ?? []).map((rejection) => rejection.index));
        for (const [index, event] of events.entries()) (rejected.has(index) ? this.rejected : this.acknowledged).add(event.messageId);
        accepted = events.filter((_, index) => !rejected.has(index));
        // A 200 whose count disagrees with its own rejections is reported, not trusted.
        outcome = body.accepted === accepted.length ? '200' : '200 inconsistent accepted count';
      } else {
        outcome = `${response.status}${body.reason ? ` ${body.reason}` : ''}`;
      }
    } catch (error) {
      outcome = error.name === 'TimeoutError' ? 'client timeout' : `network error (${error.cause?.code ?? error.message})`;
    }
    if (!outcome.startsWith('200')) for (const event of events) this.unacknowledged.add(event.messageId);
    else for (const event of events) this.unacknowledged.delete(event.messageId);
    this.count(outcome);
    this.timeline.push({ atMs: sentAt - this.startedAt, outcome, events: events.length });
    return outcome.startsWith('200');
  }
}
