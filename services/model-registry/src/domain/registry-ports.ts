import type { ChangeLog as ControlPlaneChangeLog } from '@kuroshio/control-plane';
import type { AliasChange, Artifact, Change } from './registry-change.js';

// What the registry needs from the outside world; adapters for ClickHouse, Kafka and S3 implement
// these, unit tests use in-memory fakes.

/** The durable, append-only change log. */
export type ChangeLog = ControlPlaneChangeLog<Change>;

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
