export type LakeZone = 'raw' | 'clean';

export interface LakeObjectCoordinates {
  readonly prefix: string;
  readonly zone: LakeZone;
  /** Hour the events in the object happened (UTC). */
  readonly eventHour: Date;
  readonly topic: string;
  readonly partition: number;
  readonly firstOffset: string;
  readonly lastOffset: string;
}

const EXTENSION: Readonly<Record<LakeZone, string>> = { raw: 'ndjson.gz', clean: 'parquet' };

/**
 * `raw/dt=2026-11-27/hour=01/topic=kuroshio.events.raw.v1/partition=3/offsets=000000100-000000199.ndjson.gz`:
 * Hive-style partitions (event date and hour) that Spark, Trino, DuckDB and pyarrow read as columns,
 * then the Kafka coordinates, so writing the same batch again overwrites instead of duplicating.
 * Offsets are zero-padded so keys sort in offset order.
 */
export function lakeObjectKey(object: LakeObjectCoordinates): string {
  const iso = object.eventHour.toISOString();
  return [
    `${object.prefix}${object.zone}`,
    `dt=${iso.slice(0, 10)}`,
    `hour=${iso.slice(11, 13)}`,
    `topic=${object.topic}`,
    `partition=${object.partition}`,
    `offsets=${padOffset(object.firstOffset)}-${padOffset(object.lastOffset)}.${EXTENSION[object.zone]}`,
  ].join('/');
}

/**
 * Where the ETL lists the objects one batch wrote, keyed by the batch's first offset: every attempt
 * at an uncommitted batch starts at the same committed offset, so a redelivered batch finds the
 * previous attempt's list and removes objects it no longer writes (a bigger or smaller refetch).
 */
export function batchManifestKey(prefix: string, topic: string, partition: number, firstOffset: string): string {
  return `${prefix}_manifests/topic=${topic}/partition=${partition}/first=${padOffset(firstOffset)}.json`;
}

export function padOffset(offset: string): string {
  return offset.padStart(9, '0');
}

/** Start of the UTC hour of an instant. */
export function hourOf(instant: Date): Date {
  return new Date(Math.floor(instant.getTime() / 3_600_000) * 3_600_000);
}
