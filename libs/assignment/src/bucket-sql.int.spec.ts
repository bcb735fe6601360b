import { stackEndpoints } from '@kuroshio/testing';
import { describe, expect, it } from 'vitest';
import { bucketOf } from './bucket.js';

// The same bucket computed inside ClickHouse (18.16 and current): analyses that need a unit's
// bucket without an exposure log (e.g. re-deriving a split, auditing SRM) can compute it in SQL.
// ADR 0018 quotes this expression. The unit ids are generated in SQL, so no value is interpolated.
const UNITS = 20_000;
const QUERY = `
  SELECT
    concat('customer-', toString(number)) AS unit,
    bitShiftRight(reinterpretAsUInt64(reverse(substring(
      SHA256(concat('checkout-button', '\\0', '2026-11', '\\0', unit)), 1, 8))), 11) / 9007199254740992 AS bucket
  FROM system.numbers LIMIT ${UNITS}
  FORMAT JSONEachRow`;

describe('bucketOf in ClickHouse SQL', () => {
  it(`matches bucketOf bit for bit for ${UNITS} units`, async () => {
    const { clickhouse } = stackEndpoints();
    const response = await fetch(clickhouse.url, {
      method: 'POST',
      headers: { 'X-ClickHouse-User': clickhouse.username, 'X-ClickHouse-Key': clickhouse.password.reveal() },
      body: QUERY,
    });
    expect(response.status, await response.clone().text()).toBe(200);
    const rows = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { unit: string; bucket: number });
    expect(rows).toHaveLength(UNITS);
    const mismatches = rows.filter((r) => r.bucket !== bucketOf('checkout-button', '2026-11', r.unit));
    expect(mismatches.slice(0, 5)).toEqual([]);
  });
});
