import type { grpcNest } from '@kuroshio/contracts';
import { trainingPlanFromSpec } from '../../grpc/training-spec-mapping.js';
import type { TrainingJobQueue } from '../../jobs/training-job-queue.js';
import { FINAL_STATES } from '../../jobs/training-job.js';
import { RETRAINING_ACTOR } from '../retraining-runner.js';
import type { ChallengerTrainer, TrainedChallenger } from '../retraining-ports.js';

/**
 * Trains the challenger in this trainer's own job queue (behind any job already queued), as actor
 * `retraining`, so it shows in ListTrainingJobs and can be cancelled like any other job.
 */
export class QueuedChallengerTrainer implements ChallengerTrainer {
  constructor(
    private readonly queue: Pick<TrainingJobQueue, 'submit'>,
    private readonly pollIntervalMs = 250,
  ) {}

  async train(spec: grpcNest.trainer.v1.TrainingJobSpec, requestId: string): Promise<TrainedChallenger> {
    const job = this.queue.submit({ plan: trainingPlanFromSpec(spec), spec, createdBy: RETRAINING_ACTOR, requestId });
    // The queue updates the record in place.
    while (!FINAL_STATES.has(job.state)) await new Promise((resolve) => setTimeout(resolve, this.pollIntervalMs));
    const state = job.state as TrainedChallenger['state'];
    return { jobId: job.jobId, state, version: state === 'succeeded' ? (job.result?.modelVersion ?? 0) : 0, errorMessage: job.errorMessage };
  }
}
