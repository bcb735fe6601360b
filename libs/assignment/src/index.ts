export { AssignmentError, type AssignmentErrorCode } from './assignment-error.js';
export { DEFAULT_BUCKETS, bucketIndexOf, bucketOf } from './bucket.js';
export {
  type ExperimentAssignmentPlan,
  type VariantWeight,
  assignVariant,
  checkPlan,
} from './variant-assignment.js';
