import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { grpcNest } from '@kuroshio/contracts';
import { DomainError } from '@kuroshio/service-kit';
import { assertLabelRows } from '../offline/label-rows.js';
import { TrainingSetJobs } from '../offline/training-set-jobs.js';
import { FeatureViewRegistry } from '../views/feature-view-registry.js';
import { LAKE_BUCKET } from '../offline-store.tokens.js';
import { featureRefFromProto } from './feature-view-proto.js';
import { labelSpecFromProto, timeRangeFromProto, trainingSetExportToProto } from './training-set-proto.js';

type FeatureServiceController = grpcNest.features.v1.FeatureServiceController;
const SERVICE = grpcNest.features.v1.FEATURE_SERVICE_NAME;

/** FeatureService training-set RPCs: start an export job, poll it. */
@Controller()
export class TrainingSetsGrpcController implements Pick<FeatureServiceController, 'exportTrainingSet' | 'getTrainingSetExport'> {
  constructor(
    private readonly registry: FeatureViewRegistry,
    private readonly jobs: TrainingSetJobs,
    @Inject(LAKE_BUCKET) private readonly bucket: string,
  ) {}

  /** Everything that can be checked without data is checked here, so a bad request fails the call, not the job. */
  @GrpcMethod(SERVICE, 'exportTrainingSet')
  async exportTrainingSet(request: grpcNest.features.v1.ExportTrainingSetRequest): Promise<grpcNest.features.v1.ExportTrainingSetResponse> {
    const features = this.registry.resolve(request.features.map(featureRefFromProto));
    const labels = labelSpecFromProto(request.labels);
    if (labels.kind === 'rows') assertLabelRows(labels.rows, (index) => `labels.rows[${index}]`);
    const timeRange = timeRangeFromProto(request.timeRange);
    if (labels.kind === 'event' && timeRange?.startMs === undefined) {
      throw new DomainError('INVALID_ARGUMENT', 'event labels need time_range.start_time', { reason: 'time_range_required' });
    }
    const job = await this.jobs.start(
      request.requestId,
      features.map(({ ref }) => ref),
      (exportId, createdAt) => ({ exportId, features, labels, createdAt, ...(timeRange === undefined ? {} : { timeRange }) }),
    );
    return { export: trainingSetExportToProto(job, this.bucket) };
  }

  @GrpcMethod(SERVICE, 'getTrainingSetExport')
  async getTrainingSetExport(request: grpcNest.features.v1.GetTrainingSetExportRequest): Promise<grpcNest.features.v1.GetTrainingSetExportResponse> {
    return { export: trainingSetExportToProto(await this.jobs.get(request.exportId), this.bucket) };
  }
}
