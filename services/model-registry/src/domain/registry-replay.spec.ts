import { DomainError } from '@kuroshio/service-kit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { changeOf, rowOf } from '../adapters/change-rows.js';
import { ManualClock, versionInput } from '../testing/in-memory-ports.js';
import { registryOnMemory } from '../testing/registry-fixture.js';
import type { ModelRegistry } from './model-registry.js';
import { applyChange, emptyState } from './registry-state.js';

// Random command sequences over a small universe (so that they collide: same model, alias, version,
// request_id), run through the registry as a caller would, with a clock that sometimes stands still.

const MODELS = ['bad-debt', 'churn'] as const;
const ALIASES = ['champion', 'challenger'] as const;
const model = fc.constantFrom(...MODELS);
const alias = fc.constantFrom(...ALIASES);
const version = fc.integer({ min: 1, max: 3 });
const expected = fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined });

const command = fc.oneof(
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('create' as const), model }) },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('register' as const), model, requestId: fc.constantFrom('', '', 'r1', 'r2'), description: fc.constantFrom('x', 'y') }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('set' as const), model, alias, version, expected }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), model, alias, expected }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('archive' as const), model, version }) },
);
const step = fc.record({ command, advanceMs: fc.constantFrom(0, 0, 1, 5, 1000) });
// Mostly starting with the models in place, so that the commands after them have something to act on.
const steps = fc
  .tuple(fc.boolean(), fc.array(step, { minLength: 5, maxLength: 80, size: 'medium' }))
  .map(([seeded, rest]) => (seeded ? [...MODELS.map((name) => ({ command: { kind: 'create' as const, model: name }, advanceMs: 0 })), ...rest] : rest));

type Command = typeof command extends fc.Arbitrary<infer T> ? T : never;

async function run(registry: ModelRegistry, c: Command): Promise<void> {
  const caller = { actor: 'prop', reason: c.kind };
  try {
    switch (c.kind) {
      case 'create':
        await registry.createModel(caller, { name: c.model, description: '', owner: 'o', labels: {} });
        return;
      case 'register':
        await registry.registerVersion(caller, { modelName: c.model, requestId: c.requestId, version: versionInput({ description: c.description }) });
        return;
      case 'set':
        await registry.setAlias(caller, { modelName: c.model, alias: c.alias, version: c.version, expectedVersion: c.expected });
        return;
      case 'delete':
        await registry.deleteAlias(caller, { modelName: c.model, alias: c.alias, expectedVersion: c.expected });
        return;
      case 'archive':
        await registry.archiveVersion(caller, { modelName: c.model, version: c.version });
        return;
    }
  } catch (error) {
    // Refusals are part of the game; anything else is a bug.
    if (!(error instanceof DomainError) || error.code === 'UNAVAILABLE' || error.code === 'INTERNAL') throw error;
  }
}

async function played(steps: Array<{ command: Command; advanceMs: number }>) {
  const clock = new ManualClock();
  const fixture = await registryOnMemory({ clock });
  for (const { command: c, advanceMs } of steps) {
    clock.advance(advanceMs);
    await run(fixture.registry, c);
  }
  return fixture;
}

/** Everything a caller can read, as plain data. */
function observe(registry: ModelRegistry) {
  const everything = { pageSize: 1000, pageToken: '' };
  return {
    models: registry.listModels(everything).items.map((entry) => ({
      model: registry.getModel(entry.name),
      versions: registry.listVersions({ ...everything, modelName: entry.name, includeArchived: true }).items,
    })),
    audit: registry.listAudit({ ...everything, modelName: '', alias: '', fromMs: undefined, toMs: undefined }).items,
    lastSeq: registry.lastSeq,
  };
}

describe('replaying the change log', () => {
  it('reproduces the state, also after a round trip through ClickHouse rows', async () => {
    await fc.assert(
      fc.asyncProperty(steps, async (steps) => {
        const live = await played(steps);
        const fromLog = await registryOnMemory({ log: live.log, readPageSize: 7 });
        expect(observe(fromLog.registry)).toEqual(observe(live.registry));

        const direct = emptyState();
        const viaRows = emptyState();
        for (const change of live.log.entries) {
          applyChange(direct, change);
          applyChange(viaRows, changeOf(JSON.parse(JSON.stringify(rowOf(change)))));
        }
        expect(viaRows).toEqual(direct);
        expect(direct.lastSeq).toBe(live.registry.lastSeq);
      }),
      { numRuns: 150 },
    );
  });

  it('keeps invariants: seq contiguous, times non-decreasing, aliases only on ready versions', async () => {
    await fc.assert(
      fc.asyncProperty(steps, async (steps) => {
        const { registry, log } = await played(steps);
        expect(log.entries.map((change) => change.seq)).toEqual(log.entries.map((_, index) => index + 1));
        for (let i = 1; i < log.entries.length; i++) expect(log.entries[i]!.timeMs).toBeGreaterThanOrEqual(log.entries[i - 1]!.timeMs);
        for (const name of MODELS) {
          if (log.entries.every((change) => change.modelName !== name)) continue;
          const entry = registry.getModel(name);
          for (const target of entry.aliases.values()) expect(entry.versions[target.version - 1]?.archivedAtMs).toBeNull();
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('ResolveAliasAt', () => {
  it('agrees with a brute-force scan of the audit log at every instant', async () => {
    let runsWithAliasMoves = 0;
    await fc.assert(
      fc.asyncProperty(steps, async (steps) => {
        const { registry, log, clock } = await played(steps);
        if (log.entries.filter((change) => change.action === 'alias_set').length >= 2) runsWithAliasMoves += 1;
        const start = log.entries[0]?.timeMs ?? clock.nowMs;
        const instants = new Set<number>([start - 1, clock.nowMs + 1]);
        for (const change of log.entries) for (const delta of [-1, 0, 1]) instants.add(change.timeMs + delta);
        for (const name of MODELS) {
          if (log.entries.every((change) => change.modelName !== name)) continue;
          for (const aliasName of ALIASES) {
            for (const at of instants) {
              let brute = 0;
              for (const change of log.entries) {
                if (change.modelName !== name || change.timeMs > at) continue;
                if (change.action === 'alias_set' && change.alias === aliasName) brute = change.version;
                if (change.action === 'alias_deleted' && change.alias === aliasName) brute = 0;
              }
              const resolved = registry.resolveAliasAt(name, aliasName, at);
              expect(resolved.version, `${name}/${aliasName} at ${at}`).toBe(brute);
              expect(resolved.assignedBy === null).toBe(brute === 0);
            }
          }
        }
      }),
      { numRuns: 150 },
    );
    // The generator must actually move aliases for the comparison to mean something.
    expect(runsWithAliasMoves).toBeGreaterThan(30);
  });
});
