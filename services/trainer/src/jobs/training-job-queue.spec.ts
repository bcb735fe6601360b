import { createLogger } from '@kuroshio/telemetry';
import { describe, expect, it } from 'vitest';
import { TrainingJobQueue, type RunJob } from './training-job-queue.js';
import type { JobResult, JobState } from './training-job.js';
import type { TrainingPlan } from './training-plan.js';

const logger = createLogger({ service: 'trainer-test', level: 'silent' });
const plan = (modelName = 'bad-debt') => ({ modelName }) as TrainingPlan;
const result = { modelVersion: 0 } as JobResult;

/** A job body that waits for the test to release it, or for cancellation, like the training loop. */
function gatedRunner() {
  const releases = new Map<string, () => void>();
  const started: string[] = [];
  const run: RunJob = (job, control) =>
    new Promise<JobResult>((resolve, reject) => {
      started.push(job.jobId);
      control.report({ stage: 'training', epoch: 1, maxEpochs: 3, fractionComplete: 0.3, latestMetrics: { loss: 0.5 } });
      releases.set(job.jobId, () => resolve(result));
      control.signal.addEventListener('abort', () => reject(control.signal.reason));
    });
  return { run, started, release: (jobId: string) => releases.get(jobId)?.() };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('TrainingJobQueue', () => {
  it('runs one job at a time in submission order and reports progress', async () => {
    const runner = gatedRunner();
    const transitions: Array<[string, JobState | undefined, JobState]> = [];
    const queue = new TrainingJobQueue(runner.run, { concurrency: 1, logger, events: { onStateChange: (job, previous) => transitions.push([job.jobId, previous, job.state]) } });
    const first = queue.submit({ plan: plan(), spec: {}, createdBy: 'alice', requestId: '' });
    const second = queue.submit({ plan: plan(), spec: {}, createdBy: 'alice', requestId: '' });
    expect(first.state).toBe('queued');
    await tick();
    expect(runner.started).toEqual([first.jobId]);
    expect(queue.get(first.jobId)).toMatchObject({ state: 'running', progress: { stage: 'training', epoch: 1 } });
    expect(queue.get(second.jobId).state).toBe('queued');
    runner.release(first.jobId);
    await tick();
    await tick();
    expect(queue.get(first.jobId).state).toBe('succeeded');
    expect(runner.started).toEqual([first.jobId, second.jobId]);
    runner.release(second.jobId);
    await queue.idle();
    expect(transitions.filter(([id]) => id === first.jobId).map(([, , state]) => state)).toEqual(['queued', 'running', 'succeeded']);
  });

  it('returns the same job for a repeated request id', () => {
    const queue = new TrainingJobQueue(gatedRunner().run, { concurrency: 1, logger });
    const a = queue.submit({ plan: plan(), spec: {}, createdBy: 'x', requestId: 'r-1' });
    const b = queue.submit({ plan: plan(), spec: {}, createdBy: 'x', requestId: 'r-1' });
    expect(b.jobId).toBe(a.jobId);
  });

  it('cancels a queued job at once and a running one through its signal; a final job stays as it is', async () => {
    const runner = gatedRunner();
    const queue = new TrainingJobQueue(runner.run, { concurrency: 1, logger });
    const running = queue.submit({ plan: plan(), spec: {}, createdBy: 'x', requestId: '' });
    const waiting = queue.submit({ plan: plan(), spec: {}, createdBy: 'x', requestId: '' });
    await tick();
    expect(queue.cancel(waiting.jobId, 'not needed')).toMatchObject({ state: 'cancelled', errorMessage: 'cancelled: not needed' });
    expect(queue.cancel(running.jobId, 'wrong features').state).toBe('cancelling');
    await queue.idle();
    expect(queue.get(running.jobId)).toMatchObject({ state: 'cancelled', errorMessage: 'cancelled: wrong features' });
    expect(queue.get(running.jobId).endTime).toBeInstanceOf(Date);
    expect(queue.cancel(running.jobId, 'again').state).toBe('cancelled');
  });

  it('marks a job failed with the error message', async () => {
    const queue = new TrainingJobQueue(async () => {
      throw new Error('the test split is empty');
    }, { concurrency: 1, logger });
    const job = queue.submit({ plan: plan(), spec: {}, createdBy: 'x', requestId: '' });
    await queue.idle();
    expect(queue.get(job.jobId)).toMatchObject({ state: 'failed', errorMessage: 'the test split is empty' });
  });

  it('lists newest first, filtered, in pages', async () => {
    const queue = new TrainingJobQueue(async () => result, { concurrency: 1, logger });
    const ids = ['a', 'b', 'a', 'a'].map((model) => queue.submit({ plan: plan(`model-${model}`), spec: {}, createdBy: 'x', requestId: '' }).jobId);
    await queue.idle();
    const first = queue.list({ modelName: 'model-a', pageSize: 2 });
    expect(first.jobs.map((j) => j.jobId)).toEqual([ids[3], ids[2]]);
    const second = queue.list({ modelName: 'model-a', pageSize: 2, pageToken: first.nextPageToken });
    expect(second.jobs.map((j) => j.jobId)).toEqual([ids[0]]);
    expect(second.nextPageToken).toBe('');
    expect(queue.list({ states: ['failed'] }).jobs).toEqual([]);
    expect(() => queue.get('nope')).toThrow(/no training job/);
  });

  it('on close cancels what is queued and stops what runs, and accepts nothing new', async () => {
    const runner = gatedRunner();
    const queue = new TrainingJobQueue(runner.run, { concurrency: 1, logger });
    const running = queue.submit({ plan: plan(), spec: {}, createdBy: 'x', requestId: '' });
    const waiting = queue.submit({ plan: plan(), spec: {}, createdBy: 'x', requestId: '' });
    await tick();
    await queue.close();
    expect(queue.get(running.jobId).state).toBe('cancelled');
    expect(queue.get(waiting.jobId).state).toBe('cancelled');
    expect(() => queue.submit({ plan: plan(), spec: {}, createdBy: 'x', requestId: '' })).toThrow(/shutting down/);
  });
});
