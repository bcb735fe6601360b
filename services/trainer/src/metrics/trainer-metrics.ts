import { defineCounter, defineGauge, defineHistogram } from '@kuroshio/telemetry';
import type { JobState, TrainingJobRecord } from '../jobs/training-job.js';

const ACTIVE_STATES: ReadonlySet<JobState> = new Set(['queued', 'running', 'cancelling']);

/** Prometheus series of the trainer. */
export class TrainerMetrics {
  private readonly backend = defineGauge<'backend' | 'simd'>({
    name: 'kuroshio_trainer_tfjs_backend',
    help: 'TensorFlow.js backend in use (1 for the one selected)',
    labelNames: ['backend', 'simd'],
  });
  private readonly jobs = defineCounter<'state'>({ name: 'kuroshio_trainer_jobs_total', help: 'Training jobs by the state they reached', labelNames: ['state'] });
  private readonly active = defineGauge<'state'>({ name: 'kuroshio_trainer_jobs', help: 'Training jobs now queued, running or cancelling', labelNames: ['state'] });
  private readonly duration = defineHistogram<'state'>({
    name: 'kuroshio_trainer_job_duration_seconds',
    help: 'Wall-clock time of finished jobs from start to end',
    labelNames: ['state'],
    buckets: [1, 5, 15, 60, 300, 900, 3600, 14_400],
  });
  private readonly throughput = defineGauge({ name: 'kuroshio_trainer_training_samples_per_second', help: 'Training rows per second of the last finished job (training steps only)' });

  backendSelected(name: string, simd: boolean): void {
    this.backend.reset();
    this.backend.set({ backend: name, simd: String(simd) }, 1);
  }

  stateChanged(job: TrainingJobRecord, previous: JobState | undefined): void {
    if (previous !== undefined && ACTIVE_STATES.has(previous)) this.active.dec({ state: previous });
    if (ACTIVE_STATES.has(job.state)) this.active.inc({ state: job.state });
    this.jobs.inc({ state: job.state });
    if (job.endTime !== null && job.startTime !== null && !ACTIVE_STATES.has(job.state)) {
      this.duration.observe({ state: job.state }, (job.endTime.getTime() - job.startTime.getTime()) / 1000);
    }
  }

  trained(samplesPerSecond: number): void {
    this.throughput.set(samplesPerSecond);
  }
}
