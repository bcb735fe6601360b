/** Who, when and why, and the position in the log: every change carries it. */
export interface ChangeStamp {
  /** Position in the log, from 1, without repeats. */
  readonly seq: number;
  readonly eventId: string;
  /** Epoch ms; non-decreasing in seq order. */
  readonly timeMs: number;
  readonly actor: string;
  readonly reason: string;
}

/** The append-only log a control plane's state is derived from. */
export interface ChangeLog<C extends ChangeStamp> {
  /** Resolves once the entry is durable; a rejection leaves it unknown whether it was written. */
  append(change: C): Promise<void>;
  /** Entries with seq > `afterSeq`, in seq order, at most `limit`. */
  readAfter(afterSeq: number, limit: number): Promise<C[]>;
}
