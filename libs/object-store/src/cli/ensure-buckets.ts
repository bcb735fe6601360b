// Creates the lake and model buckets (S3_LAKE_BUCKET, S3_MODELS_BUCKET) unless they exist.
//   node libs/object-store/dist/cli/ensure-buckets.js
// Reads S3_ENDPOINT, S3_REGION, S3_ACCESS_KEY, S3_SECRET_KEY.
import { loadConfigOrExit, s3Config } from '@kuroshio/config';
import { ObjectStore } from '../object-store.js';

const settings = loadConfigOrExit(s3Config());
const store = new ObjectStore(settings);

try {
  for (const bucket of [settings.buckets.lake, settings.buckets.models]) {
    console.log(`${bucket} ${await store.ensureBucket(bucket)}`);
  }
} catch (error) {
  console.error(`ensure-buckets: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
