import { createRequire } from 'node:module';
import type { ReplacementStatus } from './kafkajs-encoding.js';

const require = createRequire(import.meta.url);

export const KAFKAJS_REQUEST_QUEUE_MODULE = 'kafkajs/src/network/requestQueue/index.js';

interface RequestQueueState {
  pending: unknown[];
  throttledUntil: number;
}
type Schedule = (this: RequestQueueState) => void;

/**
 * kafkajs 2.2.4's per-connection RequestQueue re-arms a "check pending requests" timer after every
 * check, at `throttledUntil - now`. Unthrottled, that is about minus the epoch, which Node runs after
 * 1 ms (and, since Node 24, reports as a TimeoutNegativeWarning): once a connection has queued a
 * request (the idempotent producer's one request in flight does at once), it wakes the event loop
 * every millisecond for the rest of its life — ~4 % of a core per connection while idle
 * (bench/kafkajs-idle.bench.mjs). Upstream: tulios/kafkajs#1556, #1704, #1751 (unmerged fixes).
 *
 * The replacement schedules nothing when nothing is pending and the broker has not throttled the
 * connection; every other case runs kafkajs' own method (a request queued later schedules its own
 * check in `push`, and a finished request checks the queue). It patches the class's prototype, so
 * it holds whenever kafkajs was loaded; if the method no longer has the shape this relies on (an
 * upgrade), kafkajs runs as shipped.
 */
function install(): ReplacementStatus {
  let prototype: { scheduleCheckPendingRequests?: Schedule };
  try {
    prototype = (require(require.resolve(KAFKAJS_REQUEST_QUEUE_MODULE)) as { prototype: typeof prototype }).prototype;
  } catch {
    return 'unavailable';
  }
  const own = prototype.scheduleCheckPendingRequests;
  if (typeof own !== 'function') return 'unavailable';
  const source = own.toString();
  if (!source.includes('this.throttledUntil - Date.now()') || !source.includes('this.pending.length > 0')) return 'unavailable';
  prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: RequestQueueState): void {
    if (this.pending.length === 0 && !(this.throttledUntil > Date.now())) return;
    own.call(this);
  };
  return 'installed';
}

export const kafkajsRequestQueue: ReplacementStatus = install();
