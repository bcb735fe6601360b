import { Controller, Inject, Optional } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { grpcNest, timestampFromDate } from '@kuroshio/contracts';
import { DomainError } from '@kuroshio/service-kit';
import type { OfflineSettings } from '../offline-settings.js';
import { OFFLINE_FEATURE_READER, OFFLINE_SETTINGS } from '../offline-store.tokens.js';
import { ONLINE_FEATURE_READER, type OnlineFeatureReader } from '../parity/online-feature-reader.js';
import { checkParity, type OfflineFeatureReader } from '../parity/parity-check.js';
import { ParityMetrics } from '../parity/parity-metrics.js';
import { FeatureViewRegistry } from '../views/feature-view-registry.js';
import { featureValueToProto } from './feature-value-proto.js';
import { featureRefFromProto } from './feature-view-proto.js';

type FeatureServiceController = grpcNest.features.v1.FeatureServiceController;
const SERVICE = grpcNest.features.v1.FEATURE_SERVICE_NAME;

/** FeatureService.CheckParity: offline (ClickHouse) against online values for the same entities and instant. */
@Controller()
export class ParityGrpcController implements Pick<FeatureServiceController, 'checkParity'> {
  constructor(
    private readonly registry: FeatureViewRegistry,
    @Inject(OFFLINE_FEATURE_READER) private readonly offline: OfflineFeatureReader,
    @Inject(OFFLINE_SETTINGS) private readonly settings: OfflineSettings,
    private readonly metrics: ParityMetrics,
    @Optional() @Inject(ONLINE_FEATURE_READER) private readonly online?: OnlineFeatureReader,
  ) {}

  @GrpcMethod(SERVICE, 'checkParity')
  async checkParity(request: grpcNest.features.v1.CheckParityRequest): Promise<grpcNest.features.v1.CheckParityResponse> {
    const features = this.registry.resolve(request.features.map(featureRefFromProto));
    if (this.online === undefined) {
      throw new DomainError('UNIMPLEMENTED', 'no online feature reader is wired into this feature store', { reason: 'online_reader_missing' });
    }
    const asOfMs = Date.now() - this.settings.parityAsOfLagMs;
    const report = await checkParity(
      { features, entityIds: request.entityIds, sampleSize: request.sampleSize || this.settings.paritySampleSize, tolerance: request.tolerance },
      { offline: this.offline, online: this.online },
      asOfMs,
    );
    this.metrics.record(report);
    const valueTypes = new Map(features.map(({ ref, feature }) => [`${ref.featureView}:${ref.feature}`, feature.valueType]));
    return {
      asOf: timestampFromDate(new Date(report.asOfMs)),
      entitiesChecked: report.entitiesChecked,
      valuesCompared: report.valuesCompared,
      mismatches: report.mismatches.map((mismatch) => {
        const valueType = valueTypes.get(`${mismatch.feature.featureView}:${mismatch.feature.feature}`) ?? 'double';
        return {
          entityId: mismatch.entityId,
          feature: { ...mismatch.feature },
          online: featureValueToProto(mismatch.online, valueType),
          offline: featureValueToProto(mismatch.offline, valueType),
        };
      }),
    };
  }
}
