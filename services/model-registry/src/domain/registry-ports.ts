import type { AliasChange, Artifact, Change } from './registry-change.js';

// What the registry needs from the outside world; adapters for ClickHouse, Kafka and S3 implement
// these, unit tests use in-memory fakes.

/** The durable, append-only change log. */
export interface ChangeLog {
  /** Resolves once the entry is durable; a rejection leaves it unknown whether it was written. */
  append(change: Change): Promise<void>;
  /** Entries with seq > `afterSeq`, in seq order, at most `limit`. */
  readAfter(afterSeq: number, limit: number): Promise<Change[]>;
}

/** Where alias changes go so that inference can hot-swap. */
export interface AliasChangeSink {
  /**
   * Queues the change behind those queued before (called inside the mutation queue, so the topic
   * sees the log's order) and resolves with whether it was delivered on the first attempt; it keeps
   * trying in the background when not. Never rejects.
   */
  enqueue(change: AliasChange): Promise<boolean>;
}

/** Checks every artifact file against its sha256 and size; throws a coded DomainError naming the file. */
export interface ArtifactVerifier {
  verify(artifacts: readonly Artifact[]): Promise<void>;
}
