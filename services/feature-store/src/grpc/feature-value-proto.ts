import { grpcNest, timestampFromDate } from '@kuroshio/contracts';
import { assertUnreachable } from '@kuroshio/service-kit';
import type { FeatureValueType } from '../views/feature-view.js';
import type { FeatureValue, FeatureValueStatus } from '../views/feature-value.js';
import { scalarToProto } from './feature-view-proto.js';

const Status = grpcNest.features.v1.FeatureValueStatus;

function statusToProto(status: FeatureValueStatus): grpcNest.features.v1.FeatureValueStatus {
  switch (status) {
    case 'present':
      return Status.FEATURE_VALUE_STATUS_PRESENT;
    case 'not_found':
      return Status.FEATURE_VALUE_STATUS_NOT_FOUND;
    case 'expired':
      return Status.FEATURE_VALUE_STATUS_EXPIRED;
    default:
      return assertUnreachable(status);
  }
}

export function featureValueToProto(value: FeatureValue, valueType: FeatureValueType): grpcNest.features.v1.OnlineFeatureValue {
  return {
    value: value.status === 'present' && value.value !== null ? scalarToProto(value.value, valueType) : null,
    status: statusToProto(value.status),
    eventTime: value.eventTimeMs === null ? null : timestampFromDate(new Date(value.eventTimeMs)),
  };
}
