import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { grpcJs } from '@kuroshio/contracts';
import { stackEndpoints, uniqueName, waitFor } from '@kuroshio/testing';
import { Client } from 'minio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withKafka } from './ingest-topics.js';
import { dropDatabase } from './ingest-warehouse.js';
import { startService, waitForHttp, type ServiceProcess } from './service-process.js';

// The built model-registry as its own process, on its own ports, database and alias topic, driven
// over gRPC the way the trainer and an operator drive it: create, register, set champion, audit.

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);
const endpoints = stackEndpoints();
const v1 = grpcJs.registry.v1;
const HTTP_PORT = 17005;
const GRPC_PORT = 17105;
const address = `127.0.0.1:${GRPC_PORT}`;
const database = uniqueName('e2e_registry', '_');
const topic = uniqueName('e2e.registry.alias', '.');
const prefix = uniqueName('e2e-registry');
const model = uniqueName('e2e-model');
const bucket = endpoints.s3.buckets.models;
const s3 = new Client({
  endPoint: new URL(endpoints.s3.endpoint).hostname,
  port: Number(new URL(endpoints.s3.endpoint).port || 80),
  useSSL: false,
  accessKey: endpoints.s3.accessKey,
  secretKey: endpoints.s3.secretKey.reveal(),
  region: endpoints.s3.region,
  pathStyle: true,
});
const ACTOR = 'trainer@kuroshio';

let registry: ServiceProcess;
let client: grpcJs.registry.v1.ModelRegistryClient;

function call<T>(invoke: (metadata: Metadata, callback: (error: ServiceError | null, response: T) => void) => unknown, actor: string | null = ACTOR): Promise<T> {
  const metadata = new Metadata();
  if (actor !== null) metadata.set('x-kuroshio-actor', actor);
  return new Promise((resolve, reject) => invoke(metadata, (error, response) => (error ? reject(error) : resolve(response))));
}

beforeAll(async () => {
  await run(process.execPath, ['libs/clickhouse/dist/cli/migrate.js'], { cwd: repoRoot, env: { ...process.env, CLICKHOUSE_DATABASE: database } });
  await withKafka((kafka) => kafka.ensureTopics([{ name: topic, partitions: 1, cleanupPolicy: 'compact' }]));
  registry = startService('model-registry', {
    HTTP_PORT: String(HTTP_PORT),
    GRPC_PORT: String(GRPC_PORT),
    CLICKHOUSE_DATABASE: database,
    REGISTRY_ALIAS_CHANGES_TOPIC: topic,
  });
  await waitForHttp(`http://127.0.0.1:${HTTP_PORT}/healthz`, registry);
  await waitFor(async () => (await fetch(`http://127.0.0.1:${HTTP_PORT}/readyz`)).status === 200, {
    timeoutMs: 60_000,
    description: `model-registry ready: ${registry.output().slice(-2000)}`,
  });
  client = new v1.ModelRegistryClient(address, credentials.createInsecure());
});

afterAll(async () => {
  client?.close();
  if (registry) expect(await registry.stop()).toBe(0);
  await dropDatabase(database).catch(() => undefined);
  await withKafka((kafka) => kafka.deleteTopics([topic])).catch(() => undefined);
  await s3.removeObject(bucket, `${prefix}/v1/model.json`).catch(() => undefined);
});

describe('model-registry as a process', () => {
  it('creates a model, registers a verified version, makes it champion and shows it all in the audit log', async () => {
    const created = await call<grpcJs.registry.v1.CreateModelResponse>((m, cb) =>
      client.createModel({ name: model, description: 'churn in 90 days, postpaid', owner: 'telco-ml', labels: { domain: 'retention' } }, m, cb),
    );
    expect(created.model?.createdBy).toBe(ACTOR);

    const body = Buffer.from(JSON.stringify({ format: 'layers-model', weights: randomBytes(16).toString('hex') }));
    await s3.putObject(bucket, `${prefix}/v1/model.json`, body, body.length);
    const registered = await call<grpcJs.registry.v1.RegisterModelVersionResponse>((m, cb) =>
      client.registerModelVersion(
        v1.RegisterModelVersionRequest.fromPartial({
          modelName: model,
          requestId: 'job-e2e-1',
          artifacts: [
            {
              kind: v1.ArtifactKind.ARTIFACT_KIND_MODEL,
              uri: `s3://${bucket}/${prefix}/v1`,
              files: [{ path: 'model.json', sha256: createHash('sha256').update(body).digest('hex'), sizeBytes: body.length }],
            },
          ],
          metrics: { roc_auc: 0.77 },
          lineage: { datasetManifestHash: 'e'.repeat(64), codeVersion: 'e2e', backend: 'cpu', trainingJobId: 'job-e2e-1' },
        }),
        m,
        cb,
      ),
    );
    expect(registered.modelVersion).toMatchObject({ version: 1, state: v1.ModelVersionState.MODEL_VERSION_STATE_READY });

    const anonymous = await call((m, cb) => client.setAlias({ modelName: model, alias: 'champion', version: 1, reason: '' }, m, cb), null).catch((error: ServiceError) => error);
    expect((anonymous as ServiceError).code).toBe(status.UNAUTHENTICATED);

    const champion = await call<grpcJs.registry.v1.SetAliasResponse>((m, cb) =>
      client.setAlias({ modelName: model, alias: 'champion', version: 1, expectedVersion: 0, reason: 'first release' }, m, cb),
    );
    expect(champion).toMatchObject({ previousVersion: 0, alias: { alias: 'champion', version: 1, updatedBy: ACTOR } });

    // The README's grpcurl example, against the running process.
    const { stdout } = await run('.tools/bin/grpcurl', ['-plaintext', '-d', JSON.stringify({ modelName: model, alias: 'champion' }), address, 'kuroshio.registry.v1.ModelRegistry/GetModelVersion'], {
      cwd: repoRoot,
    });
    expect(JSON.parse(stdout)).toMatchObject({ modelVersion: { modelName: model, version: 1, aliases: ['champion'] } });

    const audit = await call<grpcJs.registry.v1.ListAuditEventsResponse>((m, cb) => client.listAuditEvents(v1.ListAuditEventsRequest.fromPartial({ modelName: model }), m, cb));
    expect(audit.events.map((event) => [event.action, event.actor, event.version, event.alias, event.reason])).toEqual([
      [v1.AuditAction.AUDIT_ACTION_MODEL_CREATED, ACTOR, 0, '', ''],
      [v1.AuditAction.AUDIT_ACTION_VERSION_REGISTERED, ACTOR, 1, '', ''],
      [v1.AuditAction.AUDIT_ACTION_ALIAS_SET, ACTOR, 1, 'champion', 'first release'],
    ]);
  });
});
