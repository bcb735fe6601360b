/** Injection token of the lake bucket name (S3_LAKE_BUCKET), where training sets are exported. */
export const LAKE_BUCKET = 'kuroshio:feature-store:lake-bucket';
/** Injection token of the OfflineFeatureReader the parity check compares the online values with. */
export const OFFLINE_FEATURE_READER = 'kuroshio:feature-store:offline-feature-reader';
/** Injection token of the offline settings (FEATURE_STORE_*). */
export const OFFLINE_SETTINGS = 'kuroshio:feature-store:offline-settings';
