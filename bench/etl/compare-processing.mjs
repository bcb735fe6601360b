// Checks that two builds of the ETL decide and write the same, byte for byte, before a change to
// the per-event work is trusted: `node bench/etl/compare-processing.mjs <other-repo-root> [events]`
// (both trees built with `npx tsc -b services/etl`; e.g. the other one from `git archive HEAD`).
// Over the benchmark's event mix plus variants of it (nulls, channel names, unknown fields, PII in
// marked and unmarked fields, \u-escaped PII, bad currencies and times, contract violations,
// non-JSON and non-UTF-8 values) it compares: every processBatch output (archive lines, clean
// values, dead letters, outcomes), the ClickHouse rows, the events.clean / events.dlq values and
// the lake objects (raw/ NDJSON after gunzip, clean/ Parquet bytes). Exits 1 on the first difference.
import { gunzipSync } from 'node:zlib';
import { isDeepStrictEqual } from 'node:util';
import { rawEventValue } from './raw-events.mjs';

const [otherRoot, eventsArg] = process.argv.slice(2);
if (!otherRoot) throw new Error('usage: compare-processing.mjs <other-repo-root> [events]');
const total = Number(eventsArg ?? 20_000);

async function build(root) {
  const dist = new URL(`${root.replace(/\/?$/, '/')}services/etl/dist/`, 'file://');
  const load = (path) => import(new URL(path, dist));
  const [{ processBatch }, { DedupWindow }, { EventSchemas }, { PiiTokenizer }, { EVENT_SCHEMA_DIRECTORY }, { LakeWriter }, rows, { encodeTopicValue, TOPICS }] = await Promise.all([
    load('domain/process-batch.js'),
    load('domain/dedup-window.js'),
    load('domain/event-schemas.js'),
    load('pii/index.js'),
    load('schema-directory.js'),
    load('sinks/lake-writer.js'),
    load('sinks/clickhouse-rows.js'),
    import(new URL(`${root.replace(/\/?$/, '/')}libs/contracts/dist/index.js`, 'file://')),
  ]);
  const processing = {
    schemas: await EventSchemas.load(EVENT_SCHEMA_DIRECTORY),
    scrubber: new PiiTokenizer({ key: Buffer.alloc(32, 7) }),
    dedup: new DedupWindow(500_000),
    eventTime: { lateAfterMs: 86_400_000, futureToleranceMs: 300_000 },
    now: () => new Date('2026-11-27T10:00:00.000Z'),
  };
  const puts = [];
  const store = { put: async (_bucket, key, body) => puts.push([key, body]), get: async () => { throw Object.assign(new Error('none'), { code: 'NoSuchKey' }); }, remove: async () => {} };
  const lake = new LakeWriter(store, 'lake', '');
  return async (batch) => {
    const processed = processBatch(batch, processing);
    puts.length = 0;
    await lake.writeBatch(processed);
    const at = new Date('2026-11-27T10:00:01.000Z');
    return {
      processed: JSON.stringify(processed, (key, value) => (key === 'record' ? value.offset : value)),
      eventRows: JSON.stringify(processed.clean.map(rows.eventRow)),
      deadLetterRows: JSON.stringify(processed.rejected.map(rows.deadLetterRow)),
      outcomeRows: JSON.stringify(processed.outcomes.map((o) => rows.outcomeRow(o, at))),
      messageIdRows: JSON.stringify(processed.clean.map((e) => rows.messageIdRow(e, at))),
      clean: processed.clean.map((e) => encodeTopicValue(TOPICS.eventsClean, e.value).toString('base64')),
      dlq: processed.rejected.map((r) => encodeTopicValue(TOPICS.eventsDlq, r.deadLetter).toString('base64')),
      lake: puts
        .filter(([key]) => !key.includes('manifest'))
        .map(([key, body]) => [key, key.endsWith('.gz') ? gunzipSync(body).toString('utf8') : Buffer.from(body).toString('base64')]),
    };
  };
}

// Variants of a valid value: what producers, SDKs and attackers send.
const VARIANTS = [
  (v) => v,
  (v) => ({ ...v, envelope: { ...v.envelope, userId: null } }),
  (v) => ({ ...v, envelope: { ...v.envelope, userId: null, anonymousId: null } }),
  (v) => ({ ...v, envelope: { ...v.envelope, properties: null, traits: null, integrations: { All: true }, writeKey: 'k' }, extra: 1 }),
  (v) => ({ ...v, envelope: { ...v.envelope, context: { ...v.envelope.context, channel: 'LINE' } } }),
  (v) => ({ ...v, envelope: { ...v.envelope, context: { locale: 'en', library: { name: 'analytics.js' } } } }),
  (v) => ({ ...v, envelope: { ...v.envelope, context: { channel: 'fax' } } }),
  (v) => ({ ...v, envelope: { ...v.envelope, context: { channel: 'web', phone: '0912-345-678', note: 'mail me at a.b@example.com' } } }),
  (v) => ({ ...v, envelope: { ...v.envelope, userId: 'A123456789', anonymousId: 'someone@example.com' } }),
  (v) => ({ ...v, envelope: { ...v.envelope, properties: { ...v.envelope.properties, msisdn: '0912345678', currency: 'dollars' } } }),
  (v) => ({ ...v, envelope: { ...v.envelope, traits: { email: 'x@example.com', address: { city: 'Taipei', street: 'Road 1' }, phone: 912345678 } } }),
  (v) => ({ ...v, envelope: { ...v.envelope, timestamp: '1970-01-01T00:00:00Z', sentAt: null } }),
  (v) => ({ ...v, envelope: { ...v.envelope, timestamp: '2099-01-01T00:00:00+09:00' } }),
  (v) => ({ ...v, envelope: { ...v.envelope, timestamp: 'yesterday' } }),
  (v) => ({ ...v, envelope: { ...v.envelope, messageId: undefined } }),
  (v) => ({ ...v, envelope: { ...v.envelope, type: 'track', event: null } }),
  (v) => ({ ...v, envelope: { ...v.envelope, tenant: 'Telco' } }),
  (v) => ({ ...v, envelope: { ...v.envelope, properties: { deep: JSON.parse('{"a":'.repeat(12) + '1' + '}'.repeat(12)) } } }),
  (v) => ({ ...v, ingest: { ...v.ingest, batchIndex: -1 } }),
  (v) => ({ ...v, envelope: { ...v.envelope, properties: { ...v.envelope.properties, products: [{ price: '1,000.50', currency: 'usd' }, { price: 'n/a', currency: 'EUR' }] } } }),
];
const RAW = [
  (json) => Buffer.from(json),
  // PII written with \u escapes: the archive must be re-serialised, not edited.
  (json) => Buffer.from(json.replace(/0912345678|@example/g, (m) => [...m].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''))),
  (json) => Buffer.from(json.slice(0, -3)),
  (json) => Buffer.concat([Buffer.from(json.slice(0, 20)), Buffer.from([0xff, 0xfe]), Buffer.from(json.slice(20))]),
];

const now = Date.parse('2026-11-27T09:59:00.000Z');
const records = [];
for (let i = 0; i < total; i++) {
  const base = rawEventValue(i, now);
  const variant = i % 5 === 0 ? VARIANTS[(i / 5) % VARIANTS.length] : VARIANTS[0];
  const json = JSON.stringify(variant(base));
  const bytes = i % 37 === 0 ? RAW[(i / 37) % RAW.length](json) : Buffer.from(json);
  records.push({ topic: 'bench.raw', partition: 0, offset: String(i), key: Buffer.from(String(base.envelope.userId)), value: i === 7 ? null : bytes, headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }, timestamp: String(now) });
}

const [mine, theirs] = await Promise.all([build(new URL('../../', import.meta.url).pathname), build(otherRoot)]);
let batches = 0;
const counts = { accepted: 0, rejected: 0, deduplicated: 0, reserialisedArchiveLines: 0, tokenisedEvents: 0 };
for (let start = 0; start < total; start += 1000) {
  const batch = { topic: 'bench.raw', partition: 0, records: records.slice(start, start + 1000) };
  const [a, b] = [await mine(batch), await theirs(batch)];
  for (const key of Object.keys(a)) {
    if (!isDeepStrictEqual(a[key], b[key])) {
      console.error(`differs: ${key} in the batch at ${start}`);
      process.exit(1);
    }
  }
  for (const outcome of JSON.parse(a.outcomeRows)) counts[outcome.outcome]++;
  counts.reserialisedArchiveLines += a.processed.split('"reserialised":true').length - 1;
  counts.tokenisedEvents += a.processed.split('"tokenizedPaths":["').length - 1;
  batches++;
}
console.log(JSON.stringify({ identical: true, batches, records: total, ...counts }));
