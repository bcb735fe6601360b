import { describe, expect, it } from 'vitest';
import { batchManifestKey, hourOf, lakeObjectKey } from './lake-keys.js';

describe('lake object keys', () => {
  it('are Hive-partitioned by event date and hour and named by the batch\'s offsets', () => {
    const coordinates = { prefix: '', topic: 'kuroshio.events.raw.v1', partition: 3, firstOffset: '100', lastOffset: '199', eventHour: new Date('2026-11-27T01:59:59.999Z') };
    expect(lakeObjectKey({ ...coordinates, zone: 'raw' })).toBe(
      'raw/dt=2026-11-27/hour=01/topic=kuroshio.events.raw.v1/partition=3/offsets=000000100-000000199.ndjson.gz',
    );
    expect(lakeObjectKey({ ...coordinates, zone: 'clean', prefix: 'tests/x/' })).toBe(
      'tests/x/clean/dt=2026-11-27/hour=01/topic=kuroshio.events.raw.v1/partition=3/offsets=000000100-000000199.parquet',
    );
  });

  it('are the same for the same batch, so a replay overwrites', () => {
    const make = () => lakeObjectKey({ prefix: '', zone: 'raw', topic: 't', partition: 0, firstOffset: '0', lastOffset: '12345678901', eventHour: new Date(0) });
    expect(make()).toBe(make());
    expect(make()).toContain('offsets=000000000-12345678901');
  });

  it('keep a manifest per batch start', () => {
    expect(batchManifestKey('p/', 't', 2, '42')).toBe('p/_manifests/topic=t/partition=2/first=000000042.json');
    expect(hourOf(new Date('2026-11-27T01:30:00Z')).toISOString()).toBe('2026-11-27T01:00:00.000Z');
  });
});
