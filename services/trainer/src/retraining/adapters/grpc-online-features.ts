import { grpcNest } from '@kuroshio/contracts';
import type { ContractClient } from '../../grpc/contract-client.js';
import type { OnlineFeatures } from '../retraining-ports.js';

/** Entities per GetOnlineFeatures call: under the feature store's default limit of 1,000. */
const ENTITIES_PER_CALL = 500;
const Present = grpcNest.features.v1.FeatureValueStatus.FEATURE_VALUE_STATUS_PRESENT;

/** Current feature values from the feature store's online side, as numbers (NaN: not found, expired or not numeric). */
export class GrpcOnlineFeatures implements OnlineFeatures {
  constructor(private readonly client: ContractClient) {}

  async read(features: readonly grpcNest.features.v1.FeatureRef[], entityIds: readonly string[]): Promise<Float64Array[]> {
    const columns = features.map(() => new Float64Array(entityIds.length).fill(Number.NaN));
    for (let start = 0; start < entityIds.length; start += ENTITIES_PER_CALL) {
      const chunk = entityIds.slice(start, start + ENTITIES_PER_CALL);
      const reply = await this.client.call<grpcNest.features.v1.GetOnlineFeaturesRequest, grpcNest.features.v1.GetOnlineFeaturesResponse>('GetOnlineFeatures', {
        features: [...features],
        entityIds: chunk,
      });
      reply.rows.forEach((row, i) =>
        row.values.forEach((value, j) => {
          const column = columns[j];
          if (column !== undefined && value.status === Present) column[start + i] = numeric(value.value);
        }),
      );
    }
    return columns;
  }
}

function numeric(value: grpcNest.common.v1.ScalarValue | null | undefined): number {
  if (!value) return Number.NaN;
  if (typeof value.doubleValue === 'number') return value.doubleValue;
  if (typeof value.int64Value === 'number') return value.int64Value;
  if (typeof value.boolValue === 'boolean') return value.boolValue ? 1 : 0;
  return Number.NaN;
}
