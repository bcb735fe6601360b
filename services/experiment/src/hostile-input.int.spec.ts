import { status } from '@grpc/grpc-js';
import { sql } from '@kuroshio/clickhouse';
import type { RunningService } from '@kuroshio/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentConfig } from './config.js';
import { ExperimentTestClient, refusal } from './testing/experiment-client.js';
import { IsolatedStack, startExperimentService } from './testing/experiment-under-test.js';
import { plantedDefinition } from './testing/planted-data.js';

// Bad input on every RPC and HTTP route: a clear coded error, nothing written, and the service
// keeps answering. Injection attempts in keys and metric names never reach SQL.

const stack = new IsolatedStack();
let service: RunningService<ExperimentConfig>;
let client: ExperimentTestClient;
const KEY = 'it-hostile';
const INJECTION = "x'; DROP TABLE exposures; --";

beforeAll(async () => {
  await stack.setUp();
  service = await startExperimentService(stack.env);
  client = new ExperimentTestClient(service.grpcAddress!);
  await client.create(plantedDefinition(KEY));
});

afterAll(async () => {
  client?.close();
  await service?.close();
  await stack.tearDown();
});

const definition = plantedDefinition('it-other');
const withMetric = (patch: Record<string, unknown>) => ({ ...definition, metrics: [{ ...definition.metrics[0], ...patch }] });

async function tablesIntact(): Promise<void> {
  const rows = await stack.clickhouse.query<{ name: string }>(sql`SELECT name FROM system.tables WHERE database = ${stack.database}`);
  expect(rows.map((r) => r.name)).toEqual(expect.arrayContaining(['exposures', 'events', 'experiment_changes']));
  expect((await client.get(KEY)).experiment?.key).toBe(KEY);
}

describe('gRPC: bad input gets a clear error and the service keeps serving', () => {
  it.each([
    ['an injection in the key', { ...definition, key: INJECTION }, 'experiment key'],
    ['an upper-case key', { ...definition, key: 'Bad-Key' }, 'experiment key'],
    ['weights that do not sum (all zero)', { ...definition, variants: definition.variants.map((v) => ({ ...v, weight: 0 })) }, 'weight'],
    ['no control', { ...definition, variants: definition.variants.map((v) => ({ ...v, control: false })) }, 'control'],
    ['one variant', { ...definition, variants: [definition.variants[0]] }, 'variants'],
    ['a NaN traffic fraction', { ...definition, targeting: { trafficFraction: Number.NaN } }, 'traffic_fraction'],
    ['a traffic fraction above 1', { ...definition, targeting: { trafficFraction: 1.5 } }, 'traffic_fraction'],
    ['a NaN filter operand', { ...definition, targeting: { traitFilters: [{ path: 'segment', operator: 'FILTER_OPERATOR_GREATER_THAN', values: [{ doubleValue: Number.NaN }] }] } }, 'finite'],
    ['an injection in a metric key', withMetric({ key: "paid') OR 1=1 --" }), 'metric key'],
    ['an injection in a property path', withMetric({ kind: 'METRIC_KIND_SUM', property: "amount'), sleep(3) --" }), 'property path'],
    ['an unknown metric kind', withMetric({ kind: 'METRIC_KIND_UNSPECIFIED' }), 'kind'],
    ['a hypothesis of 3000 characters', { ...definition, hypothesis: 'h'.repeat(3000) }, 'hypothesis'],
    ['no hypothesis', { ...definition, hypothesis: '' }, 'hypothesis'],
    ['a control character in the owner', { ...definition, owner: 'risk\u0000team' }, 'owner'],
    ['an unsupported unit', { ...definition, unit: 'device' }, 'unit'],
  ])('CreateExperiment refuses %s with INVALID_ARGUMENT', async (_what, experiment, mentions) => {
    const error = await refusal(client.create(experiment as never));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toContain(mentions);
  });

  it('refuses a payload over the gRPC message limit with RESOURCE_EXHAUSTED, then still serves', async () => {
    const error = await refusal(client.create({ ...definition, description: 'd'.repeat(5 * 1024 * 1024) }));
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    await tablesIntact();
  });

  it('needs the caller identity for changes (UNAUTHENTICATED) and refuses a taken key (ALREADY_EXISTS)', async () => {
    const anonymous = new ExperimentTestClient(service.grpcAddress!, null);
    expect((await refusal(anonymous.create(definition))).code).toBe(status.UNAUTHENTICATED);
    expect((await refusal(anonymous.start(KEY))).code).toBe(status.UNAUTHENTICATED);
    anonymous.close();
    expect((await refusal(client.create(plantedDefinition(KEY)))).code).toBe(status.ALREADY_EXISTS);
    // Same analyst view name (hyphens and underscores both become _).
    expect((await refusal(client.create(plantedDefinition('it_hostile')))).code).toBe(status.ALREADY_EXISTS);
  });

  it('answers NOT_FOUND for an unknown experiment on every RPC that names one', async () => {
    const key = 'it-no-such-experiment';
    for (const call of [client.get(key), client.start(key), client.stop(key), client.assign({ experimentKey: key, unitId: 'u1' }), client.results({ experimentKey: key })]) {
      expect((await refusal(call)).code).toBe(status.NOT_FOUND);
    }
  });

  it('answers INVALID_ARGUMENT for an injection in the key on every RPC that names one', async () => {
    for (const call of [client.get(INJECTION), client.start(INJECTION), client.stop(INJECTION), client.assign({ experimentKey: INJECTION, unitId: 'u1' }), client.results({ experimentKey: INJECTION })]) {
      const error = await refusal(call);
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.details).toContain('experiment key');
    }
    await tablesIntact();
  });

  it('refuses bad Assign, GetResults, ListExperiments and state changes', async () => {
    expect((await refusal(client.assign({ experimentKey: KEY, unitId: '' }))).code).toBe(status.INVALID_ARGUMENT);
    expect((await refusal(client.assign({ experimentKey: KEY, unitId: 'u'.repeat(300) }))).code).toBe(status.INVALID_ARGUMENT);
    expect((await refusal(client.assign({ experimentKey: KEY, unitId: 'u1', traits: Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`t${i}`, i])) }))).code).toBe(status.INVALID_ARGUMENT);
    expect((await refusal(client.results({ experimentKey: KEY, alpha: Number.NaN }))).code).toBe(status.INVALID_ARGUMENT);
    expect((await refusal(client.results({ experimentKey: KEY, alpha: 0.9 }))).code).toBe(status.INVALID_ARGUMENT);
    expect((await refusal(client.list({ pageToken: 'not-a-token' }))).code).toBe(status.INVALID_ARGUMENT);
    expect((await refusal(client.stop(KEY))).code).toBe(status.FAILED_PRECONDITION);
    // A draft does not assign.
    expect((await client.assign({ experimentKey: KEY, unitId: 'u1', recordExposure: true })).status).toBe('ASSIGNMENT_STATUS_NOT_RUNNING');
    await client.start(KEY);
    expect((await refusal(client.start(KEY))).code).toBe(status.FAILED_PRECONDITION);
  });

  it('treats SQL in an event name as data: created, started (view) and analysed without harm', async () => {
    const key = 'it-quoted-event';
    await client.create({ ...plantedDefinition(key), metrics: [{ ...definition.metrics[0], event: "Paid'); DROP TABLE events; --" }] });
    await client.start(key);
    const { results } = await client.results({ experimentKey: key });
    expect(results?.metrics[0]?.metricKey).toBe('paid_within_30d');
    await tablesIntact();
  });
});

describe('HTTP: bad input gets a coded JSON error and the service keeps serving', () => {
  const get = async (path: string) => {
    const response = await fetch(`${service.httpUrl}${path}`);
    return { status: response.status, body: (await response.json()) as { error?: string; reason?: string; message?: string } };
  };

  it.each([
    ['/api/experiments/it-no-such-experiment', 404, 'NOT_FOUND'],
    ['/api/experiments/it-no-such-experiment/results', 404, 'NOT_FOUND'],
    [`/api/experiments/${encodeURIComponent(INJECTION)}/results`, 400, 'INVALID_ARGUMENT'],
    [`/api/experiments/${encodeURIComponent("a' OR '1'='1")}`, 400, 'INVALID_ARGUMENT'],
    [`/api/experiments/${KEY}/results?alpha=NaN`, 400, 'INVALID_ARGUMENT'],
    [`/api/experiments/${KEY}/results?alpha=abc`, 400, 'INVALID_ARGUMENT'],
    [`/api/experiments/${KEY}/results?alpha=0.01&alpha=0.02`, 400, 'INVALID_ARGUMENT'],
    [`/api/experiments/${KEY}/results?correction=${encodeURIComponent("holm'; --")}`, 400, 'INVALID_ARGUMENT'],
    [`/api/experiments/${KEY}/results?asOf=yesterday`, 400, 'INVALID_ARGUMENT'],
    [`/api/experiments/${KEY}/results?cumulative=maybe`, 400, 'INVALID_ARGUMENT'],
    [`/api/experiments/${KEY}/results?inProgressConversions=${encodeURIComponent("exclude' OR 1=1")}`, 400, 'INVALID_ARGUMENT'],
    ['/api/experiments?state=deleted', 400, 'INVALID_ARGUMENT'],
    ['/api/experiments?pageSize=-1', 400, 'INVALID_ARGUMENT'],
    [`/api/experiments?pageToken=${'x'.repeat(600)}`, 400, 'INVALID_ARGUMENT'],
  ])('GET %s -> %i', async (path, code, error) => {
    const answer = await get(path);
    expect(answer.status).toBe(code);
    expect(answer.body.error).toBe(error);
    expect(answer.body.message).toBeTruthy();
  });

  it('answers an over-long key and a huge query string with a 4xx, then still serves', async () => {
    expect((await fetch(`${service.httpUrl}/api/experiments/${'k'.repeat(5000)}/results`)).status).toBeGreaterThanOrEqual(400);
    expect((await fetch(`${service.httpUrl}/api/experiments/${KEY}/results?alpha=${'9'.repeat(20_000)}`)).status).toBeGreaterThanOrEqual(400);
    const ok = await get(`/api/experiments/${KEY}/results?alpha=0.1&correction=benjamini_hochberg&cumulative=true`);
    expect(ok.status).toBe(200);
    const excluding = await get(`/api/experiments/${KEY}/results?inProgressConversions=exclude`);
    expect(excluding.status).toBe(200);
    expect((excluding.body as { results?: { inProgressConversions?: string } }).results?.inProgressConversions).toBe('exclude');
    expect((ok.body as { results?: { inProgressConversions?: string } }).results?.inProgressConversions).toBe('include');
    expect((await get('/api/experiments?state=running')).status).toBe(200);
    await tablesIntact();
  });
});
