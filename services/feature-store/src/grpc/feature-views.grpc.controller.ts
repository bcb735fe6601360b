import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { grpcNest } from '@kuroshio/contracts';
import { FeatureViewRegistry } from '../views/feature-view-registry.js';
import { featureViewToProto } from './feature-view-proto.js';

type FeatureServiceController = grpcNest.features.v1.FeatureServiceController;
const SERVICE = grpcNest.features.v1.FEATURE_SERVICE_NAME;

/** FeatureService registry RPCs: the feature views loaded from YAML at start-up. */
@Controller()
export class FeatureViewsGrpcController implements Pick<FeatureServiceController, 'listFeatureViews' | 'getFeatureView'> {
  constructor(private readonly registry: FeatureViewRegistry) {}

  @GrpcMethod(SERVICE, 'listFeatureViews')
  listFeatureViews(request: grpcNest.features.v1.ListFeatureViewsRequest): grpcNest.features.v1.ListFeatureViewsResponse {
    const page = this.registry.list({ entity: request.entity, allVersions: request.allVersions, pageSize: request.pageSize, pageToken: request.pageToken });
    return { featureViews: page.views.map((view) => featureViewToProto(view, this.registry.loadedAt)), nextPageToken: page.nextPageToken };
  }

  @GrpcMethod(SERVICE, 'getFeatureView')
  getFeatureView(request: grpcNest.features.v1.GetFeatureViewRequest): grpcNest.features.v1.GetFeatureViewResponse {
    return { featureView: featureViewToProto(this.registry.get(request.name, request.version), this.registry.loadedAt) };
  }
}
