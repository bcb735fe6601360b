// In-process cost of the ETL's CPU work per event, without Kafka, ClickHouse or S3: processBatch,
// the lake encodings (gzip NDJSON + Parquet), the ClickHouse rows and the events.clean values.
// `node --cpu-prof bench/etl/profile-processing.mjs [events] [batch]` (needs `npx tsc -b services/etl`).
import { gzipSync } from 'node:zlib';
import { encodeTopicValue, TOPICS } from '@kuroshio/contracts';
import { rawEvent } from './raw-events.mjs';

const dist = new URL('../../services/etl/dist/', import.meta.url);
const { processBatch } = await import(new URL('domain/process-batch.js', dist));
const { DedupWindow } = await import(new URL('domain/dedup-window.js', dist));
const { EventSchemas } = await import(new URL('domain/event-schemas.js', dist));
const { PiiTokenizer } = await import(new URL('pii/index.js', dist));
const { EVENT_SCHEMA_DIRECTORY } = await import(new URL('schema-directory.js', dist));
const { LakeWriter } = await import(new URL('sinks/lake-writer.js', dist));
const { eventRow, outcomeRow, deadLetterRow } = await import(new URL('sinks/clickhouse-rows.js', dist));

const total = Number(process.argv[2] ?? 100_000);
const batchSize = Number(process.argv[3] ?? 2_000);
const now = Date.now();
const records = Array.from({ length: total }, (_, i) => {
  const { key, value } = rawEvent(i, now);
  return { topic: 'bench.raw', partition: i % 12, offset: String(i), key: Buffer.from(key), value, headers: {}, timestamp: String(now) };
});
const processing = {
  schemas: await EventSchemas.load(EVENT_SCHEMA_DIRECTORY),
  scrubber: new PiiTokenizer({ key: Buffer.alloc(32, 7), tokenCacheSize: Number(process.env.TOKEN_CACHE ?? 0) || undefined }),
  dedup: new DedupWindow(500_000),
  eventTime: { lateAfterMs: 86_400_000, futureToleranceMs: 300_000 },
  now: () => new Date(),
};
const store = { put: async () => {}, get: async () => { throw Object.assign(new Error('none'), { code: 'NoSuchKey' }); }, remove: async () => {} };
const lake = new LakeWriter(store, 'lake', '');

const stages = { process: 0, lake: 0, rows: 0, topic: 0 };
// CPU time (user + system of this process), not wall-clock: the machine is shared.
const cpuMs = () => { const { user, system } = process.cpuUsage(); return (user + system) / 1000; };
const cpu0 = cpuMs();
const t0 = performance.now();
for (let start = 0; start < total; start += batchSize) {
  const batch = { topic: 'bench.raw', partition: 0, records: records.slice(start, start + batchSize) };
  let t = cpuMs();
  const processed = processBatch(batch, processing);
  stages.process += cpuMs() - t; t = cpuMs();
  await lake.writeBatch(processed);
  stages.lake += cpuMs() - t; t = cpuMs();
  const at = new Date();
  JSON.stringify(processed.clean.map(eventRow)); JSON.stringify(processed.rejected.map(deadLetterRow)); JSON.stringify(processed.outcomes.map((o) => outcomeRow(o, at)));
  stages.rows += cpuMs() - t; t = cpuMs();
  for (const e of processed.clean) encodeTopicValue(TOPICS.eventsClean, e.value);
  for (const r of processed.rejected) encodeTopicValue(TOPICS.eventsDlq, r.deadLetter);
  stages.topic += cpuMs() - t;
}
const wall = performance.now() - t0;
const elapsed = cpuMs() - cpu0;
const perSec = (ms) => Math.round(total / (ms / 1000));
const usPerEvent = (ms) => +((ms * 1000) / total).toFixed(1);
const { rss, heapTotal, heapUsed } = process.memoryUsage();
const mib = (bytes) => Math.round(bytes / 1048576);
console.log(JSON.stringify({ total, batchSize, rssMiB: mib(rss), heapTotalMiB: mib(heapTotal), heapUsedMiB: mib(heapUsed), cpuUsPerEvent: usPerEvent(elapsed), stageCpuUsPerEvent: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, usPerEvent(v)])), wallEventsPerSec: perSec(wall), eventsPerCpuSec: perSec(elapsed), stageEventsPerSec: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, perSec(v)])), stageShare: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, +(v / elapsed).toFixed(3)])) }));
