import { describe, expect, it } from 'vitest';
import type { ResolvedFeature } from '../views/feature-view-registry.js';
import type { LabelSpec } from './label-source.js';
import type { TrainingSetRequest } from './training-set-export.js';
import { exportIdForRequest, TrainingSetJobs } from './training-set-jobs.js';
import { withContentHash, type TrainingSetManifest } from './training-set-manifest.js';
import { requestHashOf } from './training-set-request-hash.js';

const features = [{ featureView: 'v', feature: 'f', version: 1 }];
const request = (exportId: string, createdAt: Date): TrainingSetRequest => ({ exportId, createdAt, features: [], labels: { kind: 'rows', rows: [] } });
const manifestOf = (exportId: string): TrainingSetManifest =>
  withContentHash({
    exportId,
    createdAt: '2026-11-27T00:00:00.000Z',
    featureViews: [{ name: 'v', version: 1 }],
    features: [{ featureView: 'v', feature: 'f', version: 1, column: 'v__f', valueType: 'double' }],
    label: { kind: 'rows', rowCount: 0 },
    timeRange: null,
    rowCount: 0,
    positiveCount: 0,
    dataObject: `training-sets/${exportId}/data.parquet`,
    dataSha256: '0'.repeat(64),
  });

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('training-set jobs', () => {
  it('go PENDING -> RUNNING -> SUCCEEDED with their manifest, one at a time', async () => {
    const runs: Array<ReturnType<typeof deferred<TrainingSetManifest>>> = [];
    const jobs = new TrainingSetJobs({
      run: () => {
        const run = deferred<TrainingSetManifest>();
        runs.push(run);
        return run.promise;
      },
      readManifest: async () => undefined,
    });
    const first = await jobs.start('', features, request);
    const second = await jobs.start('', features, request);
    expect(first.state).toBe('pending');
    await new Promise((resolve) => setImmediate(resolve));
    expect((await jobs.get(first.exportId)).state).toBe('running');
    expect((await jobs.get(second.exportId)).state).toBe('pending');
    expect(runs).toHaveLength(1);
    runs[0]!.resolve(manifestOf(first.exportId));
    await new Promise((resolve) => setImmediate(resolve));
    expect(await jobs.get(first.exportId)).toMatchObject({ state: 'succeeded', manifest: { exportId: first.exportId } });
    expect(runs).toHaveLength(2);
    runs[1]!.reject(new Error('ClickHouse said no'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(await jobs.get(second.exportId)).toMatchObject({ state: 'failed', errorMessage: 'ClickHouse said no' });
  });

  it('return the same export for the same request id, also after a restart (from the manifest), and retry a failed one', async () => {
    const id = exportIdForRequest('nightly-2026-11-27');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(exportIdForRequest('nightly-2026-11-28')).not.toBe(id);
    let calls = 0;
    const restarted = new TrainingSetJobs({ run: async () => (calls += 1, manifestOf(id)), readManifest: async (exportId) => (exportId === id ? manifestOf(id) : undefined) });
    const again = await restarted.start('nightly-2026-11-27', features, request);
    expect(again).toMatchObject({ exportId: id, state: 'succeeded' });
    expect(calls).toBe(0);

    let attempts = 0;
    const flaky = new TrainingSetJobs({ run: async () => (++attempts === 1 ? Promise.reject(new Error('boom')) : manifestOf(id)), readManifest: async () => undefined });
    await flaky.start('k', features, request);
    await new Promise((resolve) => setImmediate(resolve));
    expect((await flaky.start('k', features, request)).state).toBe('pending');
    await flaky.close();
    expect((await flaky.get(exportIdForRequest('k'))).state).toBe('succeeded');
  });

  it('reject ids that are not export ids and say NOT_FOUND for unknown ones', async () => {
    const jobs = new TrainingSetJobs({ run: async () => manifestOf('x'), readManifest: async () => undefined });
    await expect(jobs.get('../../etc/passwd')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(jobs.get(exportIdForRequest('nothing'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('fail queued exports once closed', async () => {
    const jobs = new TrainingSetJobs({ run: async () => manifestOf('x'), readManifest: async () => undefined });
    await jobs.close();
    await expect(jobs.start('', features, request)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  describe('a request id reused', () => {
    // Only the refs take part in the request hash.
    const resolved = (...names: string[]) => names.map((feature) => ({ ref: { featureView: 'v', feature, version: 1 } }) as ResolvedFeature);
    const asking =
      (names: string[], labels: LabelSpec = { kind: 'rows', rows: [{ entityId: 'u1', labelTimeMs: 1_000, label: 1 }] }) =>
      (exportId: string, createdAt: Date): TrainingSetRequest => ({ exportId, createdAt, features: resolved(...names), labels });
    const refused = { code: 'ALREADY_EXISTS', reason: 'request_id_reused' };

    it('for the same export returns it; for other features or labels is ALREADY_EXISTS', async () => {
      const jobs = new TrainingSetJobs({ run: () => new Promise(() => undefined), readManifest: async () => undefined });
      const first = await jobs.start('job-1', features, asking(['a', 'b']));
      expect(await jobs.start('job-1', features, asking(['a', 'b']))).toMatchObject({ exportId: first.exportId, state: 'running' });
      await expect(jobs.start('job-1', features, asking(['a']))).rejects.toMatchObject(refused);
      await expect(jobs.start('job-1', features, asking(['a', 'b'], { kind: 'rows', rows: [{ entityId: 'u1', labelTimeMs: 1_000, label: 0 }] }))).rejects.toMatchObject(refused);
      await expect(jobs.start('job-1', features, asking(['a', 'b'], { kind: 'rows_uri', uri: 's3://kuroshio-lake/labels/x.ndjson', bucket: 'kuroshio-lake', key: 'labels/x.ndjson' }))).rejects.toMatchObject(refused);
    });

    it('is recognised after a restart from the hash in the manifest; a manifest without one is taken as it is', async () => {
      const id = exportIdForRequest('job-2');
      const prepared = asking(['a'])(id, new Date());
      const stored = withContentHash({ ...manifestOf(id), requestHash: requestHashOf(prepared) });
      const restarted = new TrainingSetJobs({ run: () => Promise.reject(new Error('not expected')), readManifest: async () => stored });
      expect(await restarted.start('job-2', features, asking(['a']))).toMatchObject({ exportId: id, state: 'succeeded' });
      const again = new TrainingSetJobs({ run: () => Promise.reject(new Error('not expected')), readManifest: async () => stored });
      await expect(again.start('job-2', features, asking(['b']))).rejects.toMatchObject(refused);
      const older = new TrainingSetJobs({ run: () => Promise.reject(new Error('not expected')), readManifest: async () => manifestOf(id) });
      expect(await older.start('job-2', features, asking(['b']))).toMatchObject({ exportId: id, state: 'succeeded' });
    });

    it('after a failed export may ask for something else, and the manifest records what was asked', async () => {
      const ran: TrainingSetRequest[] = [];
      const jobs = new TrainingSetJobs({
        run: async (request) => {
          ran.push(request);
          if (ran.length === 1) throw new Error('bad labels');
          return manifestOf(request.exportId);
        },
        readManifest: async () => undefined,
      });
      await jobs.start('job-3', features, asking(['a']));
      await new Promise((resolve) => setImmediate(resolve));
      await jobs.start('job-3', features, asking(['b']));
      await jobs.close();
      expect(ran.map((request) => request.requestHash)).toEqual([requestHashOf(asking(['a'])('x', new Date())), requestHashOf(asking(['b'])('x', new Date()))]);
    });
  });
});
