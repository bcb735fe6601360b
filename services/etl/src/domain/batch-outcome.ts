import type { CleanEventValue, DeadLetterValue } from '@kuroshio/contracts';
import type { RawArchiveLine } from './raw-archive.js';
import type { RawRecord } from './raw-record.js';

export type RecordOutcomeKind = 'accepted' | 'rejected' | 'deduplicated';

/** What happened to one raw record; one row per record in ClickHouse `etl_record_outcomes`. */
export interface RecordOutcome {
  readonly record: RawRecord;
  readonly outcome: RecordOutcomeKind;
  readonly tenant: string;
  readonly source: string;
  readonly type: string;
  readonly event: string;
  /** Empty when accepted. */
  readonly stage: string;
  readonly errorCode: string;
  readonly late: boolean;
  readonly future: boolean;
  /** Settled event time, or the Kafka timestamp when the record never got that far. */
  readonly eventTime: Date;
}

export interface CleanEvent {
  readonly record: RawRecord;
  readonly value: CleanEventValue;
  /** The Kafka key on events.clean: the tokenised customer id. */
  readonly customerId: string;
  readonly eventTime: Date;
  readonly schemaVersion: number;
}

export interface RejectedRecord {
  readonly record: RawRecord;
  readonly deadLetter: DeadLetterValue;
  /** The record's key, PII-scrubbed. */
  readonly key: string | null;
  readonly headers: Record<string, string>;
}

export interface ArchivedRecord {
  readonly line: RawArchiveLine;
  /** Hour partition of the line in raw/. */
  readonly eventTime: Date;
}

export interface ProcessedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly firstOffset: string;
  readonly lastOffset: string;
  readonly archived: readonly ArchivedRecord[];
  readonly clean: readonly CleanEvent[];
  readonly rejected: readonly RejectedRecord[];
  readonly outcomes: readonly RecordOutcome[];
}
