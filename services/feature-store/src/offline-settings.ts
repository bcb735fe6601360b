import { fileURLToPath } from 'node:url';
import { envInt, envList } from '@kuroshio/config';
import { z } from 'zod';
import { LABEL_ROWS_LOCATION_URI, parseLabelRowsLocation, type LabelRowsLocation } from './offline/label-rows-object.js';

/** Settings of the registry and the offline side (FEATURE_STORE_* variables). */
export interface OfflineSettings {
  /** Directory of the feature-view YAML files, read once at start-up. */
  readonly viewsDir: string;
  /** ClickHouse table of clean events (in CLICKHOUSE_DATABASE). */
  readonly eventsTable: string;
  /** Label rows per point-in-time query of an export. */
  readonly exportChunkRows: number;
  /** Entities a parity check samples when the request names none and says no size. */
  readonly paritySampleSize: number;
  /** A parity check compares the values as of this long ago, so events still on their way to either side settle first. */
  readonly parityAsOfLagMs: number;
  /** Label tables older than this are dropped at start-up (left by a process that died mid-export). */
  readonly labelTableMaxAgeMs: number;
  /** Where `rows_uri` label rows may be read; empty: `labels/` in the lake bucket. */
  readonly labelRowsLocations: readonly LabelRowsLocation[];
  /** Label-rows objects larger than this are refused before they are read. */
  readonly labelRowsMaxBytes: number;
}

// services/feature-store/feature-views, from src/ (tests) and from dist/ (the built service) alike.
const DEFAULT_VIEWS_DIR = fileURLToPath(new URL('../feature-views/', import.meta.url));
const TABLE = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export function offlineConfig() {
  return z
    .object({
      FEATURE_STORE_VIEWS_DIR: z.string().min(1).default(DEFAULT_VIEWS_DIR),
      FEATURE_STORE_EVENTS_TABLE: z.string().regex(TABLE, { error: 'expected a ClickHouse table name' }).default('events'),
      FEATURE_STORE_EXPORT_CHUNK_ROWS: envInt({ min: 1, max: 5_000_000 }).default(250_000),
      FEATURE_STORE_PARITY_SAMPLE_SIZE: envInt({ min: 1, max: 10_000 }).default(100),
      FEATURE_STORE_PARITY_AS_OF_LAG_MS: envInt({ min: 0, max: 3_600_000 }).default(5_000),
      FEATURE_STORE_LABEL_TABLE_MAX_AGE_MS: envInt({ min: 60_000 }).default(24 * 3_600_000),
      FEATURE_STORE_LABEL_ROWS_LOCATIONS: envList(z.string().regex(LABEL_ROWS_LOCATION_URI, { error: 'expected s3://bucket/ or s3://bucket/prefix/ (ending in /)' }), 'location').optional(),
      // 1,000,000 NDJSON label rows are about 80 MB.
      FEATURE_STORE_LABEL_ROWS_MAX_BYTES: envInt({ min: 1, max: 512 * 1024 * 1024 }).default(256 * 1024 * 1024),
    })
    .transform(
      (env): OfflineSettings => ({
        viewsDir: env.FEATURE_STORE_VIEWS_DIR,
        eventsTable: env.FEATURE_STORE_EVENTS_TABLE,
        exportChunkRows: env.FEATURE_STORE_EXPORT_CHUNK_ROWS,
        paritySampleSize: env.FEATURE_STORE_PARITY_SAMPLE_SIZE,
        parityAsOfLagMs: env.FEATURE_STORE_PARITY_AS_OF_LAG_MS,
        labelTableMaxAgeMs: env.FEATURE_STORE_LABEL_TABLE_MAX_AGE_MS,
        labelRowsLocations: (env.FEATURE_STORE_LABEL_ROWS_LOCATIONS ?? []).map(parseLabelRowsLocation),
        labelRowsMaxBytes: env.FEATURE_STORE_LABEL_ROWS_MAX_BYTES,
      }),
    );
}
