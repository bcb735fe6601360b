// The drill's checks and its report: what "nothing lost, exactly once" means in numbers.
import { createHash } from 'node:crypto';

/** sha256 over the sorted messageIds, one per line: equal sets give equal checksums. */
export function checksum(ids) {
  const hash = createHash('sha256');
  for (const id of [...ids].sort()) hash.update(`${id}\n`);
  return hash.digest('hex');
}

/**
 * `retried`, for events.raw and its raw/ archive only: ids a client sent again after a failed
 * request. Both copies may be on the topic (at least once); a second copy of one of them is counted
 * as a retry copy, not a duplicate. In ClickHouse and clean/ a second copy is a duplicate whatever
 * its history.
 */
function tally(acknowledged, unacknowledged, counts, retried = new Set()) {
  let found = 0;
  let missing = 0;
  let duplicated = 0;
  let retryCopies = 0;
  let unackLanded = 0;
  let unackDuplicated = 0;
  const foundAcked = [];
  const missingSample = [];
  const duplicateSample = [];
  for (const id of acknowledged) {
    const count = counts.get(id) ?? 0;
    if (count === 0) {
      missing += 1;
      if (missingSample.length < 5) missingSample.push(id);
    } else {
      found += 1;
      foundAcked.push(id);
    }
    if (count > 1 && retried.has(id)) retryCopies += 1;
    else if (count > 1) {
      duplicated += 1;
      if (duplicateSample.length < 5) duplicateSample.push(`${id} ×${count}`);
    }
  }
  for (const id of unacknowledged) {
    const count = counts.get(id) ?? 0;
    if (count > 0) unackLanded += 1;
    if (count > 1 && retried.has(id)) retryCopies += 1;
    else if (count > 1) {
      unackDuplicated += 1;
      if (duplicateSample.length < 5) duplicateSample.push(`${id} ×${count} (unacknowledged)`);
    }
  }
  const known = new Set([...acknowledged, ...unacknowledged]);
  const strangers = [...counts.keys()].filter((id) => !known.has(id)).length;
  let total = 0;
  for (const count of counts.values()) total += count;
  return { total, found, missing, duplicated, retryCopies, unackLanded, unackDuplicated, strangers, checksum: checksum(foundAcked), missingSample, duplicateSample };
}

/**
 * Every acknowledged event on events.raw (no 2xx without Kafka holding it), in ClickHouse exactly
 * once (FINAL and after OPTIMIZE FINAL, count == uniqExact) and exactly once in raw/ and clean/; no
 * second copy of an unacknowledged one; nothing that was never sent. On events.raw a retried event
 * may be there twice (the collector acknowledged nothing the first time), and raw/ archives every
 * events.raw record once, so it holds what the topic holds; ClickHouse and clean/ must fold it.
 */
export function judge({ load, topic, warehouse, lake }) {
  const acked = load.acknowledged;
  const unacked = load.unacknowledged;
  const places = {
    'events.raw': tally(acked, unacked, topic.counts, load.retried),
    'ClickHouse events': tally(acked, unacked, warehouse.counts),
    // raw/ archives events.raw record by record: a retry that reached Kafka twice is two lines.
    'lake raw/': tally(acked, unacked, lake.raw, load.retried),
    'lake clean/': tally(acked, unacked, lake.clean),
  };
  const violations = [];
  const ackedChecksum = checksum(acked);
  if (acked.size === 0) violations.push('no event was acknowledged: the load never got through');
  for (const [place, found] of Object.entries(places)) {
    if (found.missing > 0) violations.push(`${place}: ${found.missing} acknowledged events missing (e.g. ${found.missingSample.join(', ')})`);
    if (found.duplicated > 0 || found.unackDuplicated > 0) violations.push(`${place}: ${found.duplicated + found.unackDuplicated} messageIds more than once (e.g. ${found.duplicateSample.join(', ')})`);
    if (found.strangers > 0) violations.push(`${place}: ${found.strangers} messageIds the load never sent`);
    if (found.checksum !== ackedChecksum) violations.push(`${place}: checksum of acknowledged ids found ${found.checksum.slice(0, 16)} ≠ acknowledged ${ackedChecksum.slice(0, 16)}`);
  }
  const archiveGaps = [...new Set([...topic.counts.keys(), ...lake.raw.keys()])].filter((id) => (topic.counts.get(id) ?? 0) !== (lake.raw.get(id) ?? 0));
  if (archiveGaps.length > 0) {
    violations.push(`lake raw/: ${archiveGaps.length} messageIds not archived once per events.raw record (e.g. ${archiveGaps.slice(0, 5).map((id) => `${id} ${lake.raw.get(id) ?? 0}/${topic.counts.get(id) ?? 0}`).join(', ')})`);
  }
  for (const [name, totals] of Object.entries({ FINAL: warehouse.final, 'after OPTIMIZE FINAL': warehouse.afterOptimize })) {
    if (totals.rows !== totals.ids) violations.push(`ClickHouse ${name}: count() ${totals.rows} ≠ uniqExact(message_id) ${totals.ids}`);
  }
  if (load.rejected.size > 0) violations.push(`the collector rejected ${load.rejected.size} valid events in 200 answers`);
  return { places, ackedChecksum, violations, pass: violations.length === 0 };
}

function row(cells, widths) {
  return cells.map((cell, index) => (index === 0 ? String(cell).padEnd(widths[index]) : String(cell).padStart(widths[index]))).join('  ');
}

export function formatReport({ options, runId, faults, load, warehouse, verdict, lake, timings }) {
  const lines = [];
  lines.push(`fault drill ${runId}: profile ${options.profile}, load ${timings.loadS} s at ${options.rate} events/s, ${options.concurrency} clients × ${options.batch} events/request`);
  for (const fault of faults) lines.push(`  ${fault.name.padEnd(10)} at ${(fault.atMs / 1000).toFixed(1).padStart(5)} s  ${fault.detail}`);
  lines.push(`  ETL caught up ${timings.catchUpS} s after the load stopped; lake: ${lake.rawObjects} raw/ and ${lake.cleanObjects} clean/ objects`);
  lines.push('');
  lines.push(`  sent ${load.sent} events in ${load.requests} requests; acknowledged (200) ${load.acknowledged.size}; rejected in a 200 ${load.rejected.size}; failed (no 2xx after every attempt) ${load.unacknowledged.size}; sent again after a failure ${load.retried.size}, of which on events.raw twice ${verdict.places['events.raw'].retryCopies}`);
  lines.push(`  answers: ${[...load.outcomes].sort((a, b) => b[1] - a[1]).map(([outcome, n]) => `${outcome} ×${n}`).join(', ')}`);
  lines.push('');
  const widths = [20, 9, 12, 8, 11, 12, 14, 16];
  lines.push(row(['where', 'records', 'acked found', 'missing', 'duplicates', 'unacked in', 'unacked dupes', 'checksum'], widths));
  lines.push(row(['acknowledged', load.acknowledged.size, '', '', '', '', '', verdict.ackedChecksum.slice(0, 16)], widths));
  for (const [place, found] of Object.entries(verdict.places)) {
    lines.push(row([place, found.total, found.found, found.missing, found.duplicated, found.unackLanded, found.unackDuplicated, found.checksum.slice(0, 16)], widths));
  }
  lines.push('');
  const { final, beforeOptimize, afterOptimize, finalAfterOptimize } = warehouse;
  lines.push(
    `  ClickHouse count/uniqExact: FINAL ${final.rows}/${final.ids}; without FINAL ${beforeOptimize.rows}/${beforeOptimize.ids} before OPTIMIZE, ${afterOptimize.rows}/${afterOptimize.ids} after; FINAL after OPTIMIZE ${finalAfterOptimize.rows}/${finalAfterOptimize.ids}`,
  );
  lines.push(`  checksum (sha256 of sorted acknowledged messageIds): ${verdict.ackedChecksum}`);
  lines.push('');
  if (verdict.pass) lines.push('VERDICT: PASS — every acknowledged event is on events.raw, archived in raw/ once per record there, once in ClickHouse and once in clean/');
  else {
    lines.push(`VERDICT: FAIL — ${verdict.violations.length} violation(s):`);
    for (const violation of verdict.violations) lines.push(`  - ${violation}`);
  }
  return lines.join('\n');
}
