// Real round trips against the local stack for scripts/stack: a port that accepts connections is not
// a healthy broker or object store. Each check prints one detail line on success and exits non-zero
// (with the reason on stderr) otherwise. Reads the same endpoint env vars as the services.
//
//   node scripts/lib/stack-probe.mjs kafka          metadata request: lists brokers and the controller
//   node scripts/lib/stack-probe.mjs s3             ListBuckets signed with S3_ACCESS_KEY/S3_SECRET_KEY
//   node scripts/lib/stack-probe.mjs s3-buckets     creates S3_LAKE_BUCKET and S3_MODELS_BUCKET if missing
// Bare kafkajs, not @kuroshio/kafka: this runs at `scripts/stack up`, before any library is built.
import { Kafka, logLevel } from 'kafkajs';
import * as Minio from 'minio';

const env = (name, fallback) => process.env[name] || fallback;

async function probeKafka() {
  const kafka = new Kafka({
    clientId: 'kuroshio-stack-probe',
    brokers: env('KAFKA_BROKERS', '127.0.0.1:9092').split(','),
    connectionTimeout: 3000,
    requestTimeout: 5000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    // A fenced or still-registering broker is left out of metadata; it cannot lead partitions yet.
    if (cluster.brokers.length === 0 || cluster.controller === null) {
      throw new Error('no registered broker or controller in metadata yet');
    }
    const topics = await admin.listTopics();
    const userTopics = topics.filter((t) => !t.startsWith('__'));
    return `cluster ${cluster.clusterId}, ${cluster.brokers.length} broker(s), ${userTopics.length} topic(s)`;
  } finally {
    await admin.disconnect();
  }
}

function s3Client() {
  const url = new URL(env('S3_ENDPOINT', 'http://127.0.0.1:8333'));
  const useSSL = url.protocol === 'https:';
  return new Minio.Client({
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : useSSL ? 443 : 80,
    useSSL,
    accessKey: env('S3_ACCESS_KEY', 'kuroshio'),
    secretKey: env('S3_SECRET_KEY', 'kuroshio-secret-key'),
    region: env('S3_REGION', 'us-east-1'),
    pathStyle: true,
  });
}

async function probeS3() {
  const buckets = await s3Client().listBuckets();
  return `${buckets.length} bucket(s)${buckets.length ? ': ' + buckets.map((b) => b.name).join(', ') : ''}`;
}

async function ensureBuckets() {
  const client = s3Client();
  const names = [env('S3_LAKE_BUCKET', 'kuroshio-lake'), env('S3_MODELS_BUCKET', 'kuroshio-models')];
  const created = [];
  for (const name of names) {
    if (!(await client.bucketExists(name))) {
      await client.makeBucket(name, env('S3_REGION', 'us-east-1'));
      created.push(name);
    }
  }
  return `buckets ${names.join(', ')}${created.length ? ` (created ${created.join(', ')})` : ''}`;
}

const checks = { kafka: probeKafka, s3: probeS3, 's3-buckets': ensureBuckets };
const check = checks[process.argv[2]];
if (!check) {
  console.error(`usage: stack-probe.mjs ${Object.keys(checks).join('|')}`);
  process.exit(2);
}
try {
  console.log(await check());
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
