/** One record of events.raw as the pipeline sees it: Kafka coordinates and bytes, no Kafka types. */
export interface RawRecord {
  readonly topic: string;
  readonly partition: number;
  /** int64 as a decimal string. */
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
  /** Kafka record timestamp, epoch ms as a decimal string. */
  readonly timestamp: string;
}

/** A fetched batch of one partition, in offset order. */
export interface RawBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly RawRecord[];
}
