import { z } from 'zod';
import { envUrl } from '../env-values.js';
import { Secret, secret } from '../secret.js';

export interface S3Settings {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKey: string;
  readonly secretKey: Secret;
  readonly buckets: { readonly lake: string; readonly models: string };
}

// S3 bucket naming rules (lower case, digits, dots, hyphens; 3-63 characters).
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function bucketName(fallback: string) {
  return z.string().regex(BUCKET, { error: 'expected an S3 bucket name (3-63 of a-z 0-9 . -)' }).default(fallback);
}

/** S3_* variables with the local-stack defaults. */
export function s3Config() {
  return z
    .object({
      S3_ENDPOINT: envUrl().default('http://127.0.0.1:8333'),
      S3_REGION: z.string().default('us-east-1'),
      S3_ACCESS_KEY: z.string().default('kuroshio'),
      S3_SECRET_KEY: secret(z.string().default('kuroshio-secret-key')),
      S3_LAKE_BUCKET: bucketName('kuroshio-lake'),
      S3_MODELS_BUCKET: bucketName('kuroshio-models'),
    })
    .transform(
      (env): S3Settings => ({
        endpoint: env.S3_ENDPOINT,
        region: env.S3_REGION,
        accessKey: env.S3_ACCESS_KEY,
        secretKey: env.S3_SECRET_KEY,
        buckets: { lake: env.S3_LAKE_BUCKET, models: env.S3_MODELS_BUCKET },
      }),
    );
}
