import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { credentials } from '@grpc/grpc-js';
import { grpcJs, TOPICS } from '@kuroshio/contracts';
import { BAD_DEBT_FEATURES, LOCAL_PLATFORM, recordedProgress, runScenario, SCALES, SCENARIO_ACTOR, type ScenarioReport } from '@kuroshio/scenario';
import { stackEndpoints, uniqueName, waitFor } from '@kuroshio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeLakePrefix } from './ingest-lake.js';
import { deleteGroup, positionGroup, topicEnd } from './ingest-topics.js';
import { dropDatabase, warehouseRows } from './ingest-warehouse.js';
import { startService, waitForHttp, type ServiceProcess } from './service-process.js';
import { SERVICES } from './services.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
/**
 * The simulated history ends at a fixed instant, so every run trains on the same data: with the
 * clock as its end, which charges had a known outcome (and so the ~130-row test split) moved with
 * the time of day, and the test AUC with it (0.59–0.8 on the same code, seed and scale).
 */
const SCENARIO_NOW = new Date('2026-11-27T06:00:00Z');
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Issue 4's story on real processes: synthetic telecom events through the collector (Segment HTTP,
 * LINE webhook, gRPC) and the ETL, point-in-time features, a trained MLP registered with metrics and
 * lineage, promoted to champion, and the audit log saying who did it.
 */
describe('bad-debt model: events → features → training → registry → champion', () => {
  const id = uniqueName('e2e', '_').replace(/^e2e_/, '');
  const slug = id.replace(/_/g, '');
  const tenant = `e2e-${slug}`;
  const database = `e2e_model_${id}`;
  const lakePrefix = `e2e-model-${slug}/`;
  const etlGroup = `e2e-etl-${slug}`;
  const onlineGroup = `e2e-fs-${slug}`;
  const keys = { web: `wk-web-${randomBytes(12).toString('hex')}`, line: `wk-line-${randomBytes(12).toString('hex')}` };
  const lineChannelSecret = randomBytes(16).toString('hex');
  const modelName = `bad-debt-${slug}`.slice(0, 60);
  const services: ServiceProcess[] = [];
  const progress = recordedProgress();
  let directory = '';
  let report: ScenarioReport;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'e2e-model-'));
    const sourcesFile = join(directory, 'sources.json');
    await writeFile(
      sourcesFile,
      JSON.stringify([
        { tenant, source: `${tenant}-web`, channel: 'web', writeKeySha256: sha256(keys.web) },
        { tenant, source: `${tenant}-line`, channel: 'line', allowedChannels: ['line'], writeKeySha256: sha256(keys.line), lineChannelSecret },
      ]),
    );
    await promisify(execFile)(process.execPath, ['libs/clickhouse/dist/cli/migrate.js'], { cwd: repoRoot, env: { ...process.env, CLICKHOUSE_DATABASE: database } });
    // Both consumer groups start at the end of the shared topics: this run's events only.
    await positionGroup(etlGroup, TOPICS.eventsRaw.name, await topicEnd(TOPICS.eventsRaw.name));
    await positionGroup(onlineGroup, TOPICS.eventsClean.name, await topicEnd(TOPICS.eventsClean.name));

    const shared = { CLICKHOUSE_DATABASE: database };
    const env: Record<string, Record<string, string>> = {
      collector: { COLLECTOR_SOURCES_FILE: sourcesFile },
      etl: { ...shared, ETL_CONSUMER_GROUP: etlGroup, ETL_LAKE_PREFIX: lakePrefix, ETL_PII_KEY: randomBytes(32).toString('base64'), ETL_SINK_RETRY_DELAY_MS: '500' },
      'feature-store': { ...shared, FEATURE_STORE_ONLINE_GROUP: onlineGroup },
      'model-registry': shared,
      trainer: shared,
    };
    for (const [name, vars] of Object.entries(env)) services.push(startService(name, vars));
    await Promise.all(
      services.map(async (service) => {
        const port = SERVICES.find((candidate) => candidate.name === service.name)!.httpPort;
        await waitForHttp(`http://127.0.0.1:${port}/healthz`, service, 60_000);
        await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, {
          timeoutMs: 120_000,
          description: `${service.name} ready: ${service.output().slice(-2000)}`,
        });
      }),
    );

    try {
      report = await runScenario({
        endpoints: { ...LOCAL_PLATFORM, writeKey: keys.web, lineSource: `${tenant}-line`, lineChannelSecret },
        clickhouse: { ...stackEndpoints().clickhouse, database },
        progress,
        scale: SCALES.small,
        seed: 42,
        now: SCENARIO_NOW,
        modelName,
        // Customers of this run only: the online store replays all of events.clean.
        customerIdPrefix: `c${slug}`,
      });
    } catch (error) {
      const logs = services.map((service) => `--- ${service.name}\n${service.output().slice(-3000)}`).join('\n');
      throw new Error(`${(error as Error).message}\n${progress.lines.join('\n')}\n${logs}`);
    }
  }, 900_000);

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
    await dropDatabase(database).catch(() => undefined);
    await removeLakePrefix(lakePrefix).catch(() => undefined);
    await deleteGroup(etlGroup).catch(() => undefined);
    await deleteGroup(onlineGroup).catch(() => undefined);
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it('sends the simulated events through all three collector paths and lands every one', () => {
    expect(report.ingest.rejected).toEqual([]);
    expect(report.ingest.accepted).toBe(report.ingest.sent);
    expect(report.ingest.byPath['segment-http']).toBeGreaterThan(0);
    expect(report.ingest.byPath['line-webhook']).toBeGreaterThan(0);
    expect(report.ingest.byPath.grpc).toBeGreaterThan(0);
  });

  it('trains an MLP that ranks unpaid charges better than chance and registers it with metrics and lineage', async () => {
    const { champion } = report;
    expect(champion.version).toBeGreaterThanOrEqual(1);
    const auc = champion.metrics['test_roc_auc'] ?? champion.metrics['roc_auc'];
    expect(auc, JSON.stringify(champion.metrics)).toBeGreaterThan(0.6);
    // Both classes are in the test split: some charges were paid in time, some never.
    expect(champion.metrics['test_positives']).toBeGreaterThan(0);
    expect(champion.metrics['test_positives']).toBeLessThan(champion.metrics['test_rows']!);
    const registry = new grpcJs.registry.v1.ModelRegistryClient(LOCAL_PLATFORM.registryGrpc, credentials.createInsecure());
    try {
      const { modelVersion } = await new Promise<grpcJs.registry.v1.GetModelVersionResponse>((resolve, reject) =>
        registry.getModelVersion(grpcJs.registry.v1.GetModelVersionRequest.fromPartial({ modelName, version: champion.version }), (error, response) => (error ? reject(error) : resolve(response))),
      );
      expect(modelVersion?.metrics['test_roc_auc'] ?? modelVersion?.metrics['roc_auc']).toBe(auc);
      const lineage = modelVersion?.lineage;
      expect(lineage?.datasetManifestHash).toMatch(/^[0-9a-f]{64}$/);
      expect(lineage?.trainingJobId).toBe(champion.jobId);
      expect(lineage?.backend).toMatch(/wasm|cpu|tensorflow/);
      expect(lineage?.featureViews.map((view) => view.name).sort()).toEqual(['app_screen_views', 'carrier_billing_charges', 'carrier_billing_payments', 'line_messages']);
      const kinds = new Set(modelVersion?.artifacts.map((artifact) => artifact.kind));
      expect(kinds.has(grpcJs.registry.v1.ArtifactKind.ARTIFACT_KIND_MODEL)).toBe(true);
      expect(kinds.has(grpcJs.registry.v1.ArtifactKind.ARTIFACT_KIND_MODEL_QUANTIZED_UINT8)).toBe(true);
    } finally {
      registry.close();
    }
    // What it learned from is in the warehouse without the customers' personal data in clear.
    const rows = await warehouseRows<{ event: string; properties: string; traits: string; context: string }>(database, 'SELECT event, properties, traits, context FROM events FINAL');
    expect(rows.filter((row) => row.event === 'Carrier Billing Charge').length).toBeGreaterThan(100);
    const warehouseText = rows.map((row) => `${row.properties}${row.traits}${row.context}`).join('\n');
    const leaked = report.personalData.filter((value) => warehouseText.includes(value));
    expect(leaked).toEqual([]);
  });

  it('serves the same feature values online (from events.clean) as offline (ClickHouse): no train/serve skew', async () => {
    const features = grpcJs.features.v1;
    const client = new features.FeatureServiceClient(LOCAL_PLATFORM.featureStoreGrpc, credentials.createInsecure());
    const request = features.CheckParityRequest.fromPartial({
      features: BAD_DEBT_FEATURES.map((feature) => ({ featureView: feature.featureView, feature: feature.feature, version: feature.version ?? 0 })),
      entityIds: report.customerIds.slice(0, 40),
      tolerance: 1e-9,
    });
    try {
      // The online state follows events.clean asynchronously: wait (bounded) until it has caught up.
      let last: grpcJs.features.v1.CheckParityResponse | undefined;
      const parity = await waitFor(
        async () => {
          last = await new Promise<grpcJs.features.v1.CheckParityResponse>((resolve, reject) =>
            client.checkParity(request, (error, response) => (error ? reject(error) : resolve(response))),
          );
          return last.mismatches.length === 0 ? last : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 2_000, description: 'online and offline features agree' },
      ).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}; last mismatches: ${JSON.stringify(last?.mismatches.slice(0, 5))}`);
      });
      expect(parity.entitiesChecked).toBe(40);
      expect(parity.valuesCompared).toBe(40 * BAD_DEBT_FEATURES.length);
    } finally {
      client.close();
    }
  });

  it('promotes the version to champion, and the audit log shows who and why', () => {
    const promotion = report.audit.find((line) => line.action === 'alias_set' && line.alias === 'champion');
    expect(promotion).toMatchObject({ actor: SCENARIO_ACTOR, version: report.champion.version });
    expect(promotion?.reason).toMatch(/promoted by the demo scenario/);
    // Registered by the trainer on behalf of whoever submitted the job: the reason names both.
    const registration = report.audit.find((line) => line.action === 'version_registered' && line.version === report.champion.version);
    expect(registration).toMatchObject({ actor: 'trainer', reason: `training job ${report.champion.jobId} submitted by ${SCENARIO_ACTOR}` });
  });
});
