import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { status, type ServiceError } from '@grpc/grpc-js';
import { ClickHouseClient, ident, sql } from '@kuroshio/clickhouse';
import { decodeTopicValue, grpcJs, timestampFromDate, TOPICS, type AliasChangeValue } from '@kuroshio/contracts';
import { KafkaClient } from '@kuroshio/kafka';
import { ObjectStore } from '@kuroshio/object-store';
import type { RunningService } from '@kuroshio/service-kit';
import { createLogger } from '@kuroshio/telemetry';
import { stackEndpoints, uniqueName, waitFor } from '@kuroshio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelRegistryConfig } from './config.js';
import { RegistryTestClient } from './testing/registry-client.js';
import { startRegistry, untilReady } from './testing/registry-under-test.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const logger = createLogger({ service: 'model-registry-it', level: 'warn' });
const endpoints = stackEndpoints();
const v1 = grpcJs.registry.v1;

const database = uniqueName('it_registry', '_');
const topic = uniqueName('it.registry.alias', '.');
const prefix = uniqueName('it-registry');
const bucket = endpoints.s3.buckets.models;
const env = { CLICKHOUSE_DATABASE: database, REGISTRY_ALIAS_CHANGES_TOPIC: topic, REGISTRY_PUBLISH_RETRY_MS: '200' };
const MODEL = 'bad-debt';

const store = new ObjectStore(endpoints.s3);
const kafka = new KafkaClient({ ...endpoints.kafka, logger });
const clickhouse = new ClickHouseClient({ ...endpoints.clickhouse, database, logger });
let registry: RunningService<ModelRegistryConfig>;
let client: RegistryTestClient;

const sha256 = (body: Buffer) => createHash('sha256').update(body).digest('hex');

interface Uploaded {
  uri: string;
  files: { path: string; sha256: string; sizeBytes: number }[];
}

/** Uploads a TensorFlow.js-shaped artifact (model.json plus a weight shard) under the test's prefix. */
async function uploadArtifact(name: string): Promise<Uploaded> {
  const files = { 'model.json': Buffer.from(JSON.stringify({ format: 'layers-model', name })), 'group1-shard1of1.bin': randomBytes(4096) };
  const listed = [];
  for (const [path, body] of Object.entries(files)) {
    await store.put(bucket, `${prefix}/${name}/${path}`, body);
    listed.push({ path, sha256: sha256(body), sizeBytes: body.length });
  }
  return { uri: `s3://${bucket}/${prefix}/${name}`, files: listed };
}

function registration(artifact: Uploaded, requestId: string) {
  return {
    modelName: MODEL,
    description: `trained by job ${requestId}`,
    requestId,
    artifacts: [{ kind: v1.ArtifactKind.ARTIFACT_KIND_MODEL, uri: artifact.uri, files: artifact.files, metrics: {} }],
    metrics: { roc_auc: 0.83, test_rows: 5000 },
    params: { family: 'logistic_regression', l2: 0.01, seed: 42 },
    lineage: {
      datasetManifestHash: 'c'.repeat(64),
      datasetUri: `s3://kuroshio-lake/exports/${requestId}/manifest.json`,
      featureViews: [{ name: 'payments_30d', version: 3 }],
      codeVersion: 'e739be0',
      backend: 'wasm',
      trainingJobId: requestId,
    },
  };
}

async function refusal(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  await run('npx', ['tsc', '-b', 'libs/clickhouse'], { cwd: repoRoot });
  await run(process.execPath, ['libs/clickhouse/dist/cli/migrate.js'], { cwd: repoRoot, env: { ...process.env, CLICKHOUSE_DATABASE: database } });
  await kafka.ensureTopics([{ name: topic, partitions: 1, cleanupPolicy: 'compact', retentionMs: -1 }]);
  registry = await startRegistry(env);
  await untilReady(registry);
  client = new RegistryTestClient(registry.grpcAddress!);
});

afterAll(async () => {
  client?.close();
  await registry?.close();
  await kafka.deleteTopics([topic]).catch(() => undefined);
  await kafka.disconnect();
  const dropper = new ClickHouseClient({ ...endpoints.clickhouse, database: 'default', logger });
  await dropper.command(sql`DROP DATABASE IF EXISTS ${ident(database)}`).catch(() => undefined);
  await dropper.close();
  await clickhouse.close();
  for await (const object of store.list(bucket, `${prefix}/`)) await store.remove(bucket, object.key);
});

describe('model registry against the local stack', () => {
  let good: Uploaded;
  let setBetween: { before: Date; after: Date };

  it('creates a model, recording the actor and the reason from metadata', async () => {
    const { model } = await client.createModel(
      { name: MODEL, description: 'probability of default, retail cards', owner: 'risk-ml', labels: { domain: 'collections' } },
      { 'x-kuroshio-reason': 'new scorecard programme' },
    );
    expect(model).toMatchObject({ name: MODEL, createdBy: 'it-tester@bank.example', latestVersion: 0, labels: { domain: 'collections' } });
    const duplicate = await refusal(client.createModel({ name: MODEL }));
    expect(duplicate.code).toBe(status.ALREADY_EXISTS);
  });

  it('registers a version whose uploaded artifacts match their checksums, and answers a retry with the same version', async () => {
    good = await uploadArtifact('v1');
    const { modelVersion } = await client.registerModelVersion(registration(good, 'job-1'));
    expect(modelVersion).toMatchObject({ modelName: MODEL, version: 1, state: v1.ModelVersionState.MODEL_VERSION_STATE_READY, createdBy: 'it-tester@bank.example' });
    expect(modelVersion?.params).toEqual({ family: 'logistic_regression', l2: 0.01, seed: 42 });
    expect(modelVersion?.lineage).toMatchObject({ datasetManifestHash: 'c'.repeat(64), featureViews: [{ name: 'payments_30d', version: 3 }], trainingJobId: 'job-1' });
    expect(modelVersion?.artifacts[0]?.files).toEqual(good.files);
    const retry = await client.registerModelVersion(registration(good, 'job-1'));
    expect(retry.modelVersion?.version).toBe(1);
    const second = await client.registerModelVersion(registration(await uploadArtifact('v2'), 'job-2'));
    const third = await client.registerModelVersion(registration(await uploadArtifact('v3'), 'job-3'));
    expect([second.modelVersion?.version, third.modelVersion?.version]).toEqual([2, 3]);
  });

  it('refuses tampered, resized and missing artifact files with FAILED_PRECONDITION naming the file', async () => {
    const tampered = await uploadArtifact('tampered');
    // Someone swaps the weights after the trainer computed the checksums.
    await store.put(bucket, `${prefix}/tampered/group1-shard1of1.bin`, randomBytes(4096));
    const swapped = await refusal(client.registerModelVersion(registration(tampered, 'job-tampered')));
    expect(swapped.code).toBe(status.FAILED_PRECONDITION);
    expect(swapped.details).toContain('group1-shard1of1.bin');
    expect(swapped.details).toContain('sha256');

    const claimedSize = { ...good, files: good.files.map((file, index) => (index === 0 ? { ...file, sizeBytes: file.sizeBytes + 1 } : file)) };
    const resized = await refusal(client.registerModelVersion(registration(claimedSize, 'job-resized')));
    expect(resized.code).toBe(status.FAILED_PRECONDITION);
    expect(resized.details).toContain('model.json');

    const missing = await refusal(client.registerModelVersion(registration({ ...good, files: [...good.files, { path: 'group1-shard2of2.bin', sha256: 'd'.repeat(64), sizeBytes: 10 }] }, 'job-missing')));
    expect(missing.code).toBe(status.FAILED_PRECONDITION);
    expect(missing.details).toContain('group1-shard2of2.bin');
    expect(missing.details).toContain('does not exist');

    const outside = await refusal(client.registerModelVersion(registration({ ...good, uri: `s3://${endpoints.s3.buckets.lake}/clean` }, 'job-lake')));
    expect(outside.code).toBe(status.INVALID_ARGUMENT);
    expect((await client.getModel(MODEL)).model?.latestVersion).toBe(3);
  });

  it('lets one of two concurrent alias moves with the same expected version win', async () => {
    setBetween = { before: new Date(), after: new Date() };
    await client.setAlias({ modelName: MODEL, alias: 'champion', version: 1, expectedVersion: 0, reason: 'first champion' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    setBetween.after = new Date();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const outcomes = await Promise.allSettled([
      client.setAlias({ modelName: MODEL, alias: 'champion', version: 2, expectedVersion: 1, reason: 'ops promotes v2' }),
      client.setAlias({ modelName: MODEL, alias: 'champion', version: 3, expectedVersion: 1, reason: 'risk promotes v3' }),
    ]);
    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const lost = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const error = lost[0]!.reason as ServiceError;
    expect(error.code).toBe(status.FAILED_PRECONDITION);
    expect(error.details).toContain('expected version 1');
    const winner = (won[0] as PromiseFulfilledResult<grpcJs.registry.v1.SetAliasResponse>).value;
    expect(error.details).toContain(`points at version ${winner.alias?.version}`);
    expect((await client.getModelVersion({ modelName: MODEL, alias: 'champion' })).modelVersion?.version).toBe(winner.alias?.version);
  });

  it('refuses to alias or archive wrongly, and keeps serving after bad input', async () => {
    await client.setAlias({ modelName: MODEL, alias: 'challenger', version: 1, reason: 'shadow' });
    expect((await refusal(client.archiveModelVersion({ modelName: MODEL, version: 1, reason: 'old' }))).code).toBe(status.FAILED_PRECONDITION);
    await client.deleteAlias({ modelName: MODEL, alias: 'challenger', expectedVersion: 1, reason: 'shadow over' });
    const archived = await client.archiveModelVersion({ modelName: MODEL, version: 1, reason: 'superseded' });
    expect(archived.modelVersion?.state).toBe(v1.ModelVersionState.MODEL_VERSION_STATE_ARCHIVED);
    expect((await refusal(client.setAlias({ modelName: MODEL, alias: 'challenger', version: 1 }))).code).toBe(status.FAILED_PRECONDITION);

    const anonymous = new RegistryTestClient(registry.grpcAddress!, null);
    expect((await refusal(anonymous.createModel({ name: 'who-am-i' }))).code).toBe(status.UNAUTHENTICATED);
    anonymous.close();
    const injected = await refusal(client.createModel({ name: "x'); DROP TABLE registry_changes; --" }));
    expect(injected.code).toBe(status.INVALID_ARGUMENT);
    expect((await refusal(client.getModel('no-such-model'))).code).toBe(status.NOT_FOUND);
    expect((await refusal(client.getModelVersion({ modelName: MODEL, version: 99 }))).code).toBe(status.NOT_FOUND);
    expect((await refusal(client.getModelVersion({ modelName: MODEL, alias: 'nobody' }))).code).toBe(status.NOT_FOUND);
    const reason = `'); DROP TABLE registry_changes; -- 承認`;
    await client.setAlias({ modelName: MODEL, alias: 'canary', version: 2, reason });
    const canary = await client.listAuditEvents({ modelName: MODEL, alias: 'canary' });
    expect(canary.events.map((event) => event.reason)).toEqual([reason]);
    expect((await client.getModel(MODEL)).model?.name).toBe(MODEL);
  });

  it('publishes every alias change on the topic, keyed model/alias, after it is in the log', async () => {
    const values = await readAliasChanges();
    const champion = values.filter(({ key }) => key === `${MODEL}/champion`).map(({ value }) => value);
    const current = (await client.getModelVersion({ modelName: MODEL, alias: 'champion' })).modelVersion?.version;
    expect(champion.map((value) => value.version)).toEqual([1, current]);
    expect(champion[1]).toMatchObject({ previousVersion: 1, changedBy: 'it-tester@bank.example' });
    const challenger = values.filter(({ key }) => key === `${MODEL}/challenger`).map(({ value }) => value.version);
    expect(challenger).toEqual([1, null]);
    const logged = await clickhouse.query<{ event_id: string }>(sql`SELECT event_id FROM registry_changes WHERE action IN ('alias_set', 'alias_deleted') ORDER BY seq`);
    expect(values.map(({ value }) => value.auditEventId)).toEqual(logged.map((row) => row.event_id));
  });

  it('answers audit queries from the log, oldest first, with filters and pages', async () => {
    const all = await client.listAuditEvents({ modelName: MODEL });
    const actions = all.events.map((event) => event.action);
    expect(actions.slice(0, 4)).toEqual([
      v1.AuditAction.AUDIT_ACTION_MODEL_CREATED,
      v1.AuditAction.AUDIT_ACTION_VERSION_REGISTERED,
      v1.AuditAction.AUDIT_ACTION_VERSION_REGISTERED,
      v1.AuditAction.AUDIT_ACTION_VERSION_REGISTERED,
    ]);
    expect(all.events[0]).toMatchObject({ actor: 'it-tester@bank.example', reason: 'new scorecard programme' });
    expect(actions).toContain(v1.AuditAction.AUDIT_ACTION_VERSION_ARCHIVED);
    const rows = await clickhouse.query<{ n: string }>(sql`SELECT count() AS n FROM registry_changes WHERE model_name = ${MODEL}`);
    expect(Number(rows[0]?.n)).toBe(all.events.length);

    const champion = await client.listAuditEvents({ modelName: MODEL, alias: 'champion' });
    expect(champion.events.map((event) => [event.previousVersion, event.reason])).toEqual([
      [0, 'first champion'],
      [1, expect.stringMatching(/promotes v[23]/)],
    ]);
    const firstPage = await client.listAuditEvents({ modelName: MODEL, pageSize: 3 });
    const secondPage = await client.listAuditEvents({ modelName: MODEL, pageSize: 3, pageToken: firstPage.nextPageToken });
    expect([...firstPage.events, ...secondPage.events].map((event) => event.eventId)).toEqual(all.events.slice(0, 6).map((event) => event.eventId));
    const inRange = await client.listAuditEvents({ modelName: MODEL, timeRange: { startTime: timestampFromDate(setBetween.before), endTime: timestampFromDate(setBetween.after) } });
    expect(inRange.events.map((event) => event.reason)).toEqual(['first champion']);
  });

  it('resolves which version served under champion at a given time', async () => {
    const atFirst = await client.resolveAliasAt({ modelName: MODEL, alias: 'champion', time: timestampFromDate(setBetween.after) });
    expect(atFirst.version).toBe(1);
    expect(atFirst.assignedBy?.reason).toBe('first champion');
    const before = await client.resolveAliasAt({ modelName: MODEL, alias: 'champion', time: timestampFromDate(new Date(setBetween.before.getTime() - 1000)) });
    expect(before).toMatchObject({ version: 0 });
    const now = await client.resolveAliasAt({ modelName: MODEL, alias: 'champion', time: timestampFromDate(new Date()) });
    expect(now.version).toBe((await client.getModelVersion({ modelName: MODEL, alias: 'champion' })).modelVersion?.version);
  });

  it('rebuilds the same state in a new instance from ClickHouse alone', async () => {
    const snapshot = async (c: RegistryTestClient) => ({
      model: (await c.getModel(MODEL)).model,
      versions: (await c.listModelVersions({ modelName: MODEL, includeArchived: true })).modelVersions,
      audit: (await c.listAuditEvents({})).events,
      resolved: (await c.resolveAliasAt({ modelName: MODEL, alias: 'champion', time: timestampFromDate(setBetween.after) })).version,
    });
    const before = await snapshot(client);
    client.close();
    await registry.close();
    registry = await startRegistry(env);
    await untilReady(registry);
    client = new RegistryTestClient(registry.grpcAddress!);
    expect(await snapshot(client)).toEqual(before);
    // And it carries on from where the log ends.
    const next = await client.registerModelVersion(registration(await uploadArtifact('v4'), 'job-4'));
    expect(next.modelVersion?.version).toBe(4);
    const seqs = await clickhouse.query<{ seq: string }>(sql`SELECT seq FROM registry_changes ORDER BY seq`);
    expect(seqs.map((row) => Number(row.seq))).toEqual(seqs.map((_, index) => index + 1));
  });
});

/** Every record on the test's alias topic, decoded against the contract. */
async function readAliasChanges(): Promise<Array<{ key: string; value: AliasChangeValue }>> {
  const [end] = await kafka.topicOffsets(topic);
  const expected = Number(end?.high ?? 0);
  const records: Array<{ key: string; value: AliasChangeValue }> = [];
  const consumer = kafka.consumer({ groupId: uniqueName('it-registry-reader'), topics: [topic], fromBeginning: true });
  await consumer.start(async (batch) => {
    for (const message of batch.messages) {
      const decoded = decodeTopicValue(TOPICS.registryAliasChanges, message.value);
      if (!decoded.ok) throw new Error(`bad record: ${JSON.stringify(decoded.issues)}`);
      records.push({ key: message.key?.toString() ?? '', value: decoded.value });
    }
  });
  try {
    await waitFor(() => records.length >= expected && expected > 0, { timeoutMs: 30_000, description: `${expected} alias changes on ${topic}` });
  } finally {
    await consumer.disconnect();
  }
  return records;
}
