import { randomBytes } from 'node:crypto';
import { DomainError } from '@kuroshio/service-kit';
import type { Logger } from '@kuroshio/telemetry';
import { FINAL_STATES, JobCancelledError, type JobControl, type JobResult, type JobState, type TrainingJobRecord } from './training-job.js';
import type { TrainingPlan } from './training-plan.js';

export type RunJob = (job: TrainingJobRecord, control: JobControl) => Promise<JobResult>;

export interface JobQueueEvents {
  onStateChange?(job: TrainingJobRecord, previous: JobState | undefined): void;
}

export interface Submission {
  readonly plan: TrainingPlan;
  readonly spec: unknown;
  readonly createdBy: string;
  readonly requestId: string;
}

export interface JobListQuery {
  readonly modelName?: string;
  readonly states?: readonly JobState[];
  readonly pageSize?: number;
  readonly pageToken?: string;
}

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;

/**
 * Training jobs of this process: queued in submission order and run `concurrency` at a time (one by
 * default: training is CPU-bound and the machine has few cores) off the request path. Jobs live in
 * memory: a restart forgets them (a job that was running is simply not there any more; its partial
 * artifacts are never registered).
 */
export class TrainingJobQueue {
  private readonly jobs = new Map<string, TrainingJobRecord>();
  private readonly byRequestId = new Map<string, string>();
  private readonly waiting: string[] = [];
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private closed = false;

  constructor(
    private readonly runJob: RunJob,
    private readonly options: { concurrency: number; logger: Logger; events?: JobQueueEvents },
  ) {
    if (!(options.concurrency >= 1)) throw new RangeError('concurrency must be at least 1');
  }

  /** Queues a job, or returns the one already submitted with the same request id. */
  submit(submission: Submission): TrainingJobRecord {
    if (this.closed) throw new DomainError('UNAVAILABLE', 'the trainer is shutting down', { reason: 'shutting_down' });
    if (submission.requestId !== '') {
      const existing = this.byRequestId.get(submission.requestId);
      if (existing !== undefined) return this.jobs.get(existing) as TrainingJobRecord;
    }
    const job: TrainingJobRecord = {
      jobId: newJobId(),
      requestId: submission.requestId,
      spec: submission.spec,
      plan: submission.plan,
      createdBy: submission.createdBy,
      createTime: new Date(),
      state: 'queued',
      progress: null,
      result: null,
      errorMessage: '',
      startTime: null,
      endTime: null,
    };
    this.jobs.set(job.jobId, job);
    if (submission.requestId !== '') this.byRequestId.set(submission.requestId, job.jobId);
    this.waiting.push(job.jobId);
    this.options.events?.onStateChange?.(job, undefined);
    setImmediate(() => this.startNext());
    return job;
  }

  get(jobId: string): TrainingJobRecord {
    const job = this.jobs.get(jobId);
    if (job === undefined) throw new DomainError('NOT_FOUND', `no training job ${jobId}`, { reason: 'job_not_found', details: { jobId } });
    return job;
  }

  /** Newest first; the page token is the id of the last job of the previous page. */
  list(query: JobListQuery): { jobs: TrainingJobRecord[]; nextPageToken: string } {
    const pageSize = Math.min(MAX_PAGE_SIZE, query.pageSize !== undefined && query.pageSize > 0 ? query.pageSize : DEFAULT_PAGE_SIZE);
    const states = query.states !== undefined && query.states.length > 0 ? new Set(query.states) : undefined;
    const matching = [...this.jobs.values()]
      .reverse()
      .filter((job) => (query.modelName === undefined || query.modelName === '' || job.plan.modelName === query.modelName) && (states === undefined || states.has(job.state)));
    let start = 0;
    if (query.pageToken !== undefined && query.pageToken !== '') {
      const at = matching.findIndex((job) => job.jobId === query.pageToken);
      if (at < 0) throw new DomainError('INVALID_ARGUMENT', 'unknown page token', { reason: 'invalid_page_token' });
      start = at + 1;
    }
    const page = matching.slice(start, start + pageSize);
    const more = start + pageSize < matching.length;
    return { jobs: page, nextPageToken: more && page.length > 0 ? (page[page.length - 1] as TrainingJobRecord).jobId : '' };
  }

  /** Queued jobs end at once; a running one is asked to stop at its next batch. Final jobs are unchanged. */
  cancel(jobId: string, reason: string): TrainingJobRecord {
    const job = this.get(jobId);
    const why = reason === '' ? 'cancelled' : `cancelled: ${reason}`;
    if (job.state === 'queued') {
      this.waiting.splice(this.waiting.indexOf(jobId), 1);
      this.finish(job, 'cancelled', why);
    } else if (job.state === 'running') {
      this.transition(job, 'cancelling');
      job.errorMessage = why;
      this.running.get(jobId)?.controller.abort(new JobCancelledError(why));
    }
    return job;
  }

  /** Shutdown: nothing new starts, queued jobs are cancelled, running ones stop at their next batch and are awaited. */
  async close(): Promise<void> {
    this.closed = true;
    for (const jobId of [...this.waiting]) this.cancel(jobId, 'trainer shut down');
    for (const jobId of this.running.keys()) this.cancel(jobId, 'trainer shut down');
    await Promise.allSettled([...this.running.values()].map((entry) => entry.done));
  }

  /** Resolves when no job is queued or running (tests). */
  async idle(): Promise<void> {
    while (this.waiting.length > 0 || this.running.size > 0) {
      await Promise.allSettled([...this.running.values()].map((entry) => entry.done));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private startNext(): void {
    while (!this.closed && this.running.size < this.options.concurrency && this.waiting.length > 0) {
      const job = this.jobs.get(this.waiting.shift() as string) as TrainingJobRecord;
      const controller = new AbortController();
      const done = this.execute(job, controller).finally(() => {
        this.running.delete(job.jobId);
        setImmediate(() => this.startNext());
      });
      this.running.set(job.jobId, { controller, done });
    }
  }

  private async execute(job: TrainingJobRecord, controller: AbortController): Promise<void> {
    job.startTime = new Date();
    this.transition(job, 'running');
    const control: JobControl = {
      jobId: job.jobId,
      signal: controller.signal,
      shouldStop: () => controller.signal.aborted,
      report: (progress) => {
        job.progress = { ...progress, updateTime: new Date() };
      },
    };
    try {
      const result = await this.runJob(job, control);
      if (controller.signal.aborted) throw controller.signal.reason;
      job.result = result;
      this.finish(job, 'succeeded', '');
    } catch (error) {
      if (controller.signal.aborted || error instanceof JobCancelledError) {
        this.finish(job, 'cancelled', job.errorMessage || (error instanceof Error ? error.message : 'cancelled'));
      } else {
        const message = error instanceof Error ? error.message : String(error);
        this.options.logger.error({ jobId: job.jobId, model: job.plan.modelName, err: error }, 'training job failed');
        this.finish(job, 'failed', message);
      }
    }
  }

  private finish(job: TrainingJobRecord, state: 'succeeded' | 'failed' | 'cancelled', message: string): void {
    job.errorMessage = message;
    job.endTime = new Date();
    this.transition(job, state);
  }

  private transition(job: TrainingJobRecord, state: JobState): void {
    if (FINAL_STATES.has(job.state)) return;
    const previous = job.state;
    job.state = state;
    this.options.events?.onStateChange?.(job, previous);
  }
}

function newJobId(): string {
  // Time first, so ids (and the S3 prefixes named after them) sort by submission.
  return `tj-${Date.now().toString(36).padStart(9, '0')}-${randomBytes(4).toString('hex')}`;
}
