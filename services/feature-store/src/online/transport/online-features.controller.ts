import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { grpcNest } from '@kuroshio/contracts';
import { featureValueToProto } from '../../grpc/feature-value-proto.js';
import { featureRefFromProto } from '../../grpc/feature-view-proto.js';
import { onlineMetrics } from '../online-metrics.js';
import { OnlineReads } from '../online-reads.js';

type Request = grpcNest.features.v1.GetOnlineFeaturesRequest;
type Response = grpcNest.features.v1.GetOnlineFeaturesResponse;

/**
 * `FeatureService.GetOnlineFeatures`. The other FeatureService methods live in their own
 * controllers; Nest routes each @GrpcMethod of one service to whichever controller declares it.
 */
@Controller()
export class OnlineFeaturesController {
  constructor(private readonly reads: OnlineReads) {}

  @GrpcMethod('FeatureService', 'GetOnlineFeatures')
  getOnlineFeatures(request: Request): Response {
    const started = performance.now();
    const result = this.reads.read(request.features.map(featureRefFromProto), request.entityIds, Date.now());
    const response: Response = {
      features: result.features.map((ref) => ({ featureView: ref.featureView, feature: ref.feature, version: ref.version })),
      rows: result.rows.map((row, r) => ({ entityId: request.entityIds[r]!, values: row.map((value, f) => featureValueToProto(value, result.valueTypes[f]!)) })),
    };
    onlineMetrics.readSeconds.observe((performance.now() - started) / 1000);
    return response;
  }
}
