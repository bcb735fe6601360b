import { DomainError } from '@kuroshio/service-kit';
import { describe, expect, it } from 'vitest';
import { InMemoryChangeLog, versionInput } from '../testing/in-memory-ports.js';
import { registryOnMemory } from '../testing/registry-fixture.js';
import { ModelRegistry } from './model-registry.js';

const alice = { actor: 'alice@bank.example', reason: '' };
const bob = { actor: 'bob@bank.example', reason: 'promote after review R-17' };

async function coded(promise: Promise<unknown> | (() => unknown)): Promise<DomainError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

async function withModel() {
  const fixture = await registryOnMemory();
  await fixture.registry.createModel(alice, { name: 'bad-debt', description: 'default risk, retail', owner: 'risk-ml', labels: { domain: 'collections' } });
  return fixture;
}

describe('ModelRegistry', () => {
  it('creates a model and records who did it, when and why', async () => {
    const { registry, log, clock } = await registryOnMemory();
    const model = await registry.createModel({ actor: 'alice', reason: 'new product' }, { name: 'churn', description: '', owner: 'telco-ml', labels: {} });
    expect(model).toMatchObject({ name: 'churn', createdBy: 'alice', createdAtMs: clock.nowMs });
    expect(log.entries).toHaveLength(1);
    expect(registry.listAudit({ modelName: '', alias: '', fromMs: undefined, toMs: undefined, pageSize: 0, pageToken: '' }).items).toEqual([
      expect.objectContaining({ seq: 1, action: 'model_created', actor: 'alice', reason: 'new product', modelName: 'churn' }),
    ]);
  });

  it('refuses a second model of the same name with ALREADY_EXISTS', async () => {
    const { registry } = await withModel();
    const error = await coded(registry.createModel(alice, { name: 'bad-debt', description: '', owner: '', labels: {} }));
    expect(error.code).toBe('ALREADY_EXISTS');
  });

  it('numbers versions from 1, verifies artifacts before recording, and answers retries by request_id', async () => {
    const { registry, artifacts, log } = await withModel();
    const first = await registry.registerVersion(alice, { modelName: 'bad-debt', requestId: 'job-1', version: versionInput() });
    const second = await registry.registerVersion(alice, { modelName: 'bad-debt', requestId: 'job-2', version: versionInput({ description: 'second' }) });
    const retry = await registry.registerVersion(alice, { modelName: 'bad-debt', requestId: 'job-1', version: versionInput() });
    expect([first.version.version, second.version.version, retry.version.version]).toEqual([1, 2, 1]);
    expect(artifacts.verified).toHaveLength(2);
    expect(log.entries.filter((change) => change.action === 'version_registered')).toHaveLength(2);
  });

  it('refuses a request_id reused for different content', async () => {
    const { registry } = await withModel();
    await registry.registerVersion(alice, { modelName: 'bad-debt', requestId: 'job-1', version: versionInput() });
    const error = await coded(registry.registerVersion(alice, { modelName: 'bad-debt', requestId: 'job-1', version: versionInput({ description: 'other' }) }));
    expect(error).toMatchObject({ code: 'ALREADY_EXISTS', reason: 'request_id_reused' });
  });

  it('registers one version for concurrent registrations with one request_id', async () => {
    const { registry } = await withModel();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => registry.registerVersion(alice, { modelName: 'bad-debt', requestId: 'job-9', version: versionInput() })),
    );
    expect(new Set(results.map((result) => result.version.version))).toEqual(new Set([1]));
    expect(registry.getModel('bad-debt').versions).toHaveLength(1);
  });

  it('records nothing when artifact verification fails', async () => {
    const { registry, artifacts, log } = await withModel();
    artifacts.reject = new DomainError('FAILED_PRECONDITION', 'artifact file model.json: sha256 differs', { reason: 'artifact_checksum_mismatch' });
    const error = await coded(registry.registerVersion(alice, { modelName: 'bad-debt', requestId: '', version: versionInput() }));
    expect(error.message).toContain('model.json');
    expect(log.entries).toHaveLength(1);
  });

  it('moves an alias with optimistic concurrency and publishes each move', async () => {
    const { registry, aliasChanges } = await withModel();
    for (const id of ['a', 'b', 'c']) await registry.registerVersion(alice, { modelName: 'bad-debt', requestId: id, version: versionInput({ description: id }) });
    const created = await registry.setAlias(bob, { modelName: 'bad-debt', alias: 'champion', version: 1, expectedVersion: 0 });
    const moved = await registry.setAlias(bob, { modelName: 'bad-debt', alias: 'champion', version: 2, expectedVersion: 1 });
    expect([created.previousVersion, moved.previousVersion]).toEqual([0, 1]);
    const stale = await coded(registry.setAlias(bob, { modelName: 'bad-debt', alias: 'champion', version: 3, expectedVersion: 1 }));
    expect(stale).toMatchObject({ code: 'FAILED_PRECONDITION', reason: 'alias_version_mismatch' });
    expect(stale.message).toContain('expected version 1');
    expect(stale.message).toContain('points at version 2');
    expect(aliasChanges.published.map((change) => [change.alias, change.action === 'alias_set' ? change.version : 0, change.previousVersion])).toEqual([
      ['champion', 1, 0],
      ['champion', 2, 1],
    ]);
    expect(registry.getVersion('bad-debt', { alias: 'champion' }).version.version).toBe(2);
  });

  it('lets exactly one of two concurrent moves with the same expectation win', async () => {
    const { registry } = await withModel();
    for (const id of ['a', 'b', 'c']) await registry.registerVersion(alice, { modelName: 'bad-debt', requestId: id, version: versionInput({ description: id }) });
    await registry.setAlias(bob, { modelName: 'bad-debt', alias: 'champion', version: 1, expectedVersion: undefined });
    const outcomes = await Promise.allSettled([
      registry.setAlias(bob, { modelName: 'bad-debt', alias: 'champion', version: 2, expectedVersion: 1 }),
      registry.setAlias(alice, { modelName: 'bad-debt', alias: 'champion', version: 3, expectedVersion: 1 }),
    ]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const rejected = outcomes.find((outcome) => outcome.status === 'rejected');
    expect((rejected as PromiseRejectedResult).reason).toMatchObject({ code: 'FAILED_PRECONDITION' });
  });

  it('treats setting an alias to its current version as done, without an audit entry', async () => {
    const { registry, log } = await withModel();
    await registry.registerVersion(alice, { modelName: 'bad-debt', requestId: 'a', version: versionInput() });
    await registry.setAlias(bob, { modelName: 'bad-debt', alias: 'champion', version: 1, expectedVersion: undefined });
    const before = log.entries.length;
    const again = await registry.setAlias(bob, { modelName: 'bad-debt', alias: 'champion', version: 1, expectedVersion: undefined });
    expect(again.previousVersion).toBe(1);
    expect(log.entries).toHaveLength(before);
  });

  it('never points an alias at an archived version, and archives only versions without aliases', async () => {
    const { registry } = await withModel();
    await registry.registerVersion(alice, { modelName: 'bad-debt', requestId: 'a', version: versionInput() });
    await registry.registerVersion(alice, { modelName: 'bad-debt', requestId: 'b', version: versionInput({ description: 'b' }) });
    await registry.setAlias(bob, { modelName: 'bad-debt', alias: 'champion', version: 1, expectedVersion: undefined });
    expect(await coded(registry.archiveVersion(bob, { modelName: 'bad-debt', version: 1 }))).toMatchObject({ code: 'FAILED_PRECONDITION', reason: 'version_has_aliases' });
    const archived = await registry.archiveVersion(bob, { modelName: 'bad-debt', version: 2 });
    expect(archived.version.archivedAtMs).not.toBeNull();
    expect(await coded(registry.setAlias(bob, { modelName: 'bad-debt', alias: 'challenger', version: 2, expectedVersion: undefined }))).toMatchObject({
      code: 'FAILED_PRECONDITION',
      reason: 'version_archived',
    });
    expect(await coded(registry.archiveVersion(bob, { modelName: 'bad-debt', version: 2 }))).toMatchObject({ reason: 'version_already_archived' });
  });

  it('deletes an alias, reporting the version it pointed at; an absent alias is NOT_FOUND', async () => {
    const { registry } = await withModel();
    await registry.registerVersion(alice, { modelName: 'bad-debt', requestId: 'a', version: versionInput() });
    await registry.setAlias(bob, { modelName: 'bad-debt', alias: 'challenger', version: 1, expectedVersion: undefined });
    expect(await registry.deleteAlias(bob, { modelName: 'bad-debt', alias: 'challenger', expectedVersion: 1 })).toEqual({ previousVersion: 1 });
    expect(await coded(registry.deleteAlias(bob, { modelName: 'bad-debt', alias: 'challenger', expectedVersion: undefined }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await coded(() => registry.getVersion('bad-debt', { alias: 'challenger' }))).toMatchObject({ code: 'NOT_FOUND', reason: 'alias_not_found' });
  });

  it('refuses changes without an actor with UNAUTHENTICATED, and bad names with INVALID_ARGUMENT', async () => {
    const { registry, log } = await withModel();
    expect(await coded(registry.createModel({ actor: '  ', reason: '' }, { name: 'x', description: '', owner: '', labels: {} }))).toMatchObject({ code: 'UNAUTHENTICATED' });
    for (const name of ["bad'; DROP TABLE registry_changes; --", 'Bad-Debt', '', 'a'.repeat(64), '../etc']) {
      expect(await coded(registry.createModel(alice, { name, description: '', owner: '', labels: {} }))).toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
    expect(await coded(registry.setAlias(alice, { modelName: 'bad-debt', alias: 'champion/../x', version: 1, expectedVersion: undefined }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      reason: 'invalid_alias',
    });
    expect(await coded(registry.createModel({ actor: 'eve\nadmin', reason: '' }, { name: 'y', description: '', owner: '', labels: {} }))).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(log.entries).toHaveLength(1);
  });

  it('stores a reason with SQL and markup in it verbatim', async () => {
    const { registry } = await withModel();
    await registry.registerVersion(alice, { modelName: 'bad-debt', requestId: 'a', version: versionInput() });
    const reason = `'); DROP TABLE registry_changes; -- <script>alert(1)</script> 承認済み`;
    await registry.setAlias({ actor: 'bob', reason }, { modelName: 'bad-debt', alias: 'champion', version: 1, expectedVersion: undefined });
    const audit = registry.listAudit({ modelName: 'bad-debt', alias: 'champion', fromMs: undefined, toMs: undefined, pageSize: 0, pageToken: '' });
    expect(audit.items.map((entry) => entry.reason)).toEqual([reason]);
  });

  it('answers NOT_FOUND for unknown models and versions', async () => {
    const { registry } = await withModel();
    expect(await coded(() => registry.getModel('nope'))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await coded(() => registry.getVersion('bad-debt', { version: 9 }))).toMatchObject({ code: 'NOT_FOUND', reason: 'version_not_found' });
    expect(await coded(registry.registerVersion(alice, { modelName: 'nope', requestId: '', version: versionInput() }))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('says UNAVAILABLE until it is rebuilt', async () => {
    const registry = new ModelRegistry({
      log: new InMemoryChangeLog(),
      aliasChanges: { enqueue: async () => true },
      artifacts: { verify: async () => undefined },
      artifactBuckets: ['kuroshio-models'],
      newEventId: () => 'id',
    });
    expect(await coded(() => registry.getModel('bad-debt'))).toMatchObject({ code: 'UNAVAILABLE', reason: 'rebuilding' });
    expect(await coded(registry.createModel(alice, { name: 'a', description: '', owner: '', labels: {} }))).toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('after a log write that failed but landed, reads the tail before the next change instead of reusing its seq', async () => {
    const { registry, log } = await withModel();
    log.failNext('landed');
    expect(await coded(registry.registerVersion(alice, { modelName: 'bad-debt', requestId: 'a', version: versionInput() }))).toMatchObject({
      code: 'UNAVAILABLE',
      reason: 'change_log_unavailable',
    });
    // The retry finds the version the lost answer was about.
    const retry = await registry.registerVersion(alice, { modelName: 'bad-debt', requestId: 'a', version: versionInput() });
    expect(retry.version.version).toBe(1);
    await registry.registerVersion(alice, { modelName: 'bad-debt', requestId: 'b', version: versionInput({ description: 'b' }) });
    expect(log.entries.map((change) => change.seq)).toEqual([1, 2, 3]);
  });

  it('publishes an alias move that landed in the log despite a failed write, once, when the next change reads it back', async () => {
    const { registry, log, aliasChanges } = await withModel();
    for (const id of ['a', 'b']) await registry.registerVersion(alice, { modelName: 'bad-debt', requestId: id, version: versionInput({ description: id }) });
    await registry.setAlias(bob, { modelName: 'bad-debt', alias: 'champion', version: 1, expectedVersion: 0 });
    log.failNext('landed');
    expect(await coded(registry.setAlias(bob, { modelName: 'bad-debt', alias: 'champion', version: 2, expectedVersion: 1 }))).toMatchObject({ code: 'UNAVAILABLE' });
    await registry.createModel(alice, { name: 'churn', description: '', owner: '', labels: {} });
    // A retry without an expectation finds the move done: nothing logged, nothing published again.
    await registry.setAlias(bob, { modelName: 'bad-debt', alias: 'champion', version: 2, expectedVersion: undefined });
    expect(registry.getVersion('bad-debt', { alias: 'champion' }).version.version).toBe(2);
    expect(aliasChanges.published.map((change) => `${change.alias}->${change.action === 'alias_set' ? change.version : 'none'}`)).toEqual(['champion->1', 'champion->2']);
  });

  it('after a log write that was lost, changes nothing and reuses the seq', async () => {
    const { registry, log } = await withModel();
    log.failNext('lost');
    await coded(registry.registerVersion(alice, { modelName: 'bad-debt', requestId: 'a', version: versionInput() }));
    expect(registry.getModel('bad-debt').versions).toHaveLength(0);
    await registry.registerVersion(alice, { modelName: 'bad-debt', requestId: 'a', version: versionInput() });
    expect(log.entries.map((change) => change.seq)).toEqual([1, 2]);
  });

  it('keeps log times non-decreasing when the clock steps back', async () => {
    const { registry, log, clock } = await withModel();
    clock.advance(-60_000);
    await registry.registerVersion(alice, { modelName: 'bad-debt', requestId: 'a', version: versionInput() });
    const [first, second] = log.entries;
    expect(second!.timeMs).toBe(first!.timeMs);
  });

  it('rebuilds the same state from the log in small pages, skipping a duplicated row', async () => {
    const { registry, log } = await withModel();
    await registry.registerVersion(alice, { modelName: 'bad-debt', requestId: 'a', version: versionInput() });
    await registry.setAlias(bob, { modelName: 'bad-debt', alias: 'champion', version: 1, expectedVersion: 0 });
    log.entries.splice(2, 0, log.entries[1]!);
    const rebuilt = await registryOnMemory({ log, readPageSize: 3 });
    expect(rebuilt.registry.getModel('bad-debt')).toEqual(registry.getModel('bad-debt'));
    expect(rebuilt.registry.lastSeq).toBe(3);
    // Rebuilding republishes each alias's latest change for consumers that missed it.
    expect(rebuilt.aliasChanges.published.map((change) => change.eventId)).toEqual([log.entries[3]!.eventId]);
  });
});
