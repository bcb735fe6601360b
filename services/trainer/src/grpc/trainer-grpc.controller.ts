import type { Metadata } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { grpcNest } from '@kuroshio/contracts';
import { DomainError } from '@kuroshio/service-kit';
import { TrainingJobQueue } from '../jobs/training-job-queue.js';
import type { JobState } from '../jobs/training-job.js';
import { protoRetrainingRun } from '../retraining/retraining-proto.js';
import { RetrainingService } from '../retraining/retraining-service.js';
import { jobStateFromProto, protoTrainingJob } from './training-job-proto.js';
import { trainingPlanFromSpec } from './training-spec-mapping.js';

type Req<K extends keyof grpcNest.trainer.v1.TrainerServiceController> = Parameters<grpcNest.trainer.v1.TrainerServiceController[K]>[0];

/** `kuroshio.trainer.v1.TrainerService`: decodes, hands jobs to the queue, maps them back. */
@Controller()
@grpcNest.trainer.v1.TrainerServiceControllerMethods()
export class TrainerGrpcController implements grpcNest.trainer.v1.TrainerServiceController {
  constructor(
    private readonly queue: TrainingJobQueue,
    private readonly retraining: RetrainingService,
  ) {}

  submitTrainingJob(request: Req<'submitTrainingJob'>, metadata?: Metadata): grpcNest.trainer.v1.SubmitTrainingJobResponse {
    const plan = trainingPlanFromSpec(request.spec);
    const job = this.queue.submit({ plan, spec: request.spec, createdBy: actorOf(metadata), requestId: request.requestId });
    return { job: protoTrainingJob(job) };
  }

  getTrainingJob(request: Req<'getTrainingJob'>): grpcNest.trainer.v1.GetTrainingJobResponse {
    return { job: protoTrainingJob(this.queue.get(request.jobId)) };
  }

  listTrainingJobs(request: Req<'listTrainingJobs'>): grpcNest.trainer.v1.ListTrainingJobsResponse {
    const states = request.states.map((state) => {
      const known = jobStateFromProto(state);
      if (known === undefined) throw new DomainError('INVALID_ARGUMENT', `unknown job state ${state}`, { reason: 'invalid_state' });
      return known;
    }) satisfies JobState[];
    const page = this.queue.list({ modelName: request.modelName, states, pageSize: request.pageSize, pageToken: request.pageToken });
    return { jobs: page.jobs.map(protoTrainingJob), nextPageToken: page.nextPageToken };
  }

  cancelTrainingJob(request: Req<'cancelTrainingJob'>): grpcNest.trainer.v1.CancelTrainingJobResponse {
    return { job: protoTrainingJob(this.queue.cancel(request.jobId, request.reason)) };
  }

  async runRetrainingCycle(request: Req<'runRetrainingCycle'>): Promise<grpcNest.trainer.v1.RunRetrainingCycleResponse> {
    const run = await this.retraining.runCycle(request.modelName, request.policy);
    return { run: protoRetrainingRun(run) };
  }
}

function actorOf(metadata: Metadata | undefined): string {
  const value = metadata?.get('x-kuroshio-actor')[0];
  return typeof value === 'string' && value !== '' ? value : 'anonymous';
}
