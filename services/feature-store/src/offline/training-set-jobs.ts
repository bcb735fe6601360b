import { createHash, randomUUID } from 'node:crypto';
import { DomainError } from '@kuroshio/service-kit';
import type { FeatureRef } from '../views/feature-view.js';
import type { TrainingSetRequest } from './training-set-export.js';
import type { TrainingSetManifest } from './training-set-manifest.js';
import { requestHashOf } from './training-set-request-hash.js';

export type ExportState = 'pending' | 'running' | 'succeeded' | 'failed';

export interface TrainingSetJob {
  readonly exportId: string;
  readonly state: ExportState;
  readonly features: readonly FeatureRef[];
  readonly createTime: Date;
  readonly completeTime?: Date;
  readonly errorMessage?: string;
  readonly manifest?: TrainingSetManifest;
  /** What the export was asked for (requestHashOf); absent in manifests written before it was recorded. */
  readonly requestHash?: string;
}

export interface TrainingSetJobsDeps {
  /** Runs one export to its manifest. */
  readonly run: (request: TrainingSetRequest, signal: AbortSignal) => Promise<TrainingSetManifest>;
  /** The stored manifest of an export, or undefined when there is none. */
  readonly readManifest: (exportId: string) => Promise<TrainingSetManifest | undefined>;
  readonly onFinished?: (job: TrainingSetJob, error?: unknown) => void;
  readonly now?: () => Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The export id of a request id: a UUID (version 8, RFC 9562) from SHA-256 of the key, so a retry —
 * also after a restart, when the job is known only by its manifest — lands on the same export.
 */
export function exportIdForRequest(requestId: string): string {
  const bytes = createHash('sha256').update(`kuroshio.training-set-export:${requestId}`).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function assertExportId(exportId: string): void {
  if (!UUID.test(exportId)) throw new DomainError('INVALID_ARGUMENT', `"${exportId}" is not an export id`, { reason: 'invalid_export_id' });
}

/** The job a request id names, if it was asked for the same export; a failed one may be asked anew. */
function sameRequest(requestId: string, job: TrainingSetJob, requestHash: string | undefined): TrainingSetJob {
  if (job.requestHash === undefined || job.requestHash === requestHash) return job;
  throw new DomainError(
    'ALREADY_EXISTS',
    `request_id ${JSON.stringify(requestId.slice(0, 200))} was used for export ${job.exportId} with other features, labels or time range; use a new request_id`,
    { reason: 'request_id_reused', details: { exportId: job.exportId } },
  );
}

function fromManifest(manifest: TrainingSetManifest): TrainingSetJob {
  return {
    exportId: manifest.exportId,
    state: 'succeeded',
    features: manifest.features.map(({ featureView, feature, version }) => ({ featureView, feature, version })),
    createTime: new Date(manifest.createdAt),
    manifest,
    ...(manifest.requestHash === undefined ? {} : { requestHash: manifest.requestHash }),
  };
}

/**
 * Training-set exports as jobs: started at once (PENDING), run one at a time (RUNNING), then SUCCEEDED
 * with their manifest or FAILED with the reason. State lives in memory; a finished export also lives in
 * its manifest in S3, which is how it is found again after a restart. An export that was running when
 * the process stopped is gone: retrying it with the same request id starts it again.
 */
export class TrainingSetJobs {
  readonly #jobs = new Map<string, TrainingSetJob>();
  readonly #abort = new AbortController();
  readonly #now: () => Date;
  #queue: Promise<void> = Promise.resolve();

  constructor(private readonly deps: TrainingSetJobsDeps) {
    this.#now = deps.now ?? (() => new Date());
  }

  /**
   * Starts an export (or returns the one a request id already started, if it was asked for the same;
   * ALREADY_EXISTS if not); `prepare` builds it once its id is known.
   */
  async start(requestId: string, features: readonly FeatureRef[], prepare: (exportId: string, createdAt: Date) => TrainingSetRequest): Promise<TrainingSetJob> {
    const exportId = requestId === '' ? randomUUID() : exportIdForRequest(requestId);
    const createTime = this.#now();
    const prepared = prepare(exportId, createTime);
    const request: TrainingSetRequest = { ...prepared, requestHash: requestHashOf(prepared) };
    const known = this.#jobs.get(exportId);
    if (known !== undefined && known.state !== 'failed') return sameRequest(requestId, known, request.requestHash);
    if (requestId !== '' && known === undefined) {
      const manifest = await this.deps.readManifest(exportId);
      if (manifest !== undefined) return sameRequest(requestId, this.#remember(fromManifest(manifest)), request.requestHash);
    }
    if (this.#abort.signal.aborted) throw new DomainError('UNAVAILABLE', 'the feature store is shutting down', { reason: 'shutting_down' });
    const job = this.#remember({ exportId, state: 'pending', features, createTime, ...(request.requestHash === undefined ? {} : { requestHash: request.requestHash }) });
    this.#queue = this.#queue.then(() => this.#run(request, job));
    return job;
  }

  async get(exportId: string): Promise<TrainingSetJob> {
    assertExportId(exportId);
    const known = this.#jobs.get(exportId);
    if (known !== undefined) return known;
    const manifest = await this.deps.readManifest(exportId);
    if (manifest === undefined) throw new DomainError('NOT_FOUND', `no training-set export ${exportId}`, { reason: 'export_not_found' });
    return this.#remember(fromManifest(manifest));
  }

  /** Stops the running export between chunks and fails the queued ones; resolves when the queue is idle. */
  async close(): Promise<void> {
    this.#abort.abort(new Error('the feature store is shutting down'));
    await this.#queue;
  }

  #remember(job: TrainingSetJob): TrainingSetJob {
    this.#jobs.set(job.exportId, job);
    return job;
  }

  async #run(request: TrainingSetRequest, pending: TrainingSetJob): Promise<void> {
    let job: TrainingSetJob = this.#remember({ ...pending, state: 'running' });
    try {
      this.#abort.signal.throwIfAborted();
      const manifest = await this.deps.run(request, this.#abort.signal);
      job = this.#remember({ ...job, state: 'succeeded', completeTime: this.#now(), manifest });
      this.deps.onFinished?.(job);
    } catch (error) {
      job = this.#remember({ ...job, state: 'failed', completeTime: this.#now(), errorMessage: error instanceof Error ? error.message : String(error) });
      this.deps.onFinished?.(job, error);
    }
  }
}
