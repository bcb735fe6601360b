import { DomainError } from '@kuroshio/service-kit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { definitionInput, InMemoryChangeLog, RecordingExposures, RecordingViews, wellFormed } from '../testing/in-memory-ports.js';
import { ExperimentCatalog } from './experiment-catalog.js';

const caller = { actor: 'analyst@bank.example', reason: '' };

async function catalogOnMemory(log = new InMemoryChangeLog()) {
  let n = 0;
  const views = new RecordingViews();
  const exposures = new RecordingExposures();
  const catalog = new ExperimentCatalog({ log, views, exposures, clock: () => Date.UTC(2026, 10, 1) + n * 1000, newEventId: () => `e${++n}`, newSalt: () => 'salt' });
  await catalog.rebuild();
  return { catalog, log, views, exposures };
}

const code = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return (error as DomainError).code;
  }
  return 'OK';
};

describe('ExperimentCatalog', () => {
  it('creates in draft, starts (creating the view first), stops; each change bumps the revision', async () => {
    const { catalog, views } = await catalogOnMemory();
    expect((await catalog.create(caller, definitionInput())).revision).toBe(1);
    expect((await catalog.start(caller, 'checkout-test')).state).toBe('running');
    expect(views.created).toEqual(['checkout-test']);
    const stopped = await catalog.stop({ ...caller, reason: 'done' }, 'checkout-test');
    expect(stopped).toMatchObject({ state: 'stopped', revision: 3, stopReason: 'done' });
    expect((await catalog.start(caller, 'checkout-test')).revision).toBe(4);
  });

  it('rebuilds the same state from the log', async () => {
    const { catalog, log } = await catalogOnMemory();
    await catalog.create(caller, definitionInput('a-one'));
    await catalog.create(caller, definitionInput('b-two'));
    await catalog.start(caller, 'a-one');
    const { catalog: replayed } = await catalogOnMemory(log);
    expect(replayed.get('a-one')).toEqual(catalog.get('a-one'));
    expect(replayed.list({ states: [], pageSize: 0, pageToken: '' }).items.map((e) => e.spec.key)).toEqual(['b-two', 'a-one']);
  });

  it('refuses without an actor, with a taken key, in the wrong state, and when the view cannot be made', async () => {
    const { catalog, views } = await catalogOnMemory();
    expect(await code(catalog.create({ actor: ' ', reason: '' }, definitionInput()))).toBe('UNAUTHENTICATED');
    await catalog.create(caller, definitionInput());
    expect(await code(catalog.create(caller, definitionInput()))).toBe('ALREADY_EXISTS');
    expect(await code(catalog.create(caller, definitionInput('checkout_test')))).toBe('ALREADY_EXISTS');
    expect(await code(catalog.stop(caller, 'checkout-test'))).toBe('FAILED_PRECONDITION');
    views.fail = true;
    expect(await code(catalog.start(caller, 'checkout-test'))).toBe('UNAVAILABLE');
    expect(catalog.get('checkout-test').state).toBe('draft');
  });

  it('reads the log tail after a write whose outcome is unknown, so seqs never repeat', async () => {
    const { catalog, log } = await catalogOnMemory();
    await catalog.create(caller, definitionInput());
    log.failNext('landed');
    expect(await code(catalog.start(caller, 'checkout-test'))).toBe('UNAVAILABLE');
    expect(await code(catalog.start(caller, 'checkout-test'))).toBe('FAILED_PRECONDITION');
    expect(log.entries.map((c) => c.seq)).toEqual([1, 2]);
  });

  it('assigns: not running, not targeted, out of traffic, assigned with the model; exposures only when asked and assigned', async () => {
    const { catalog, exposures } = await catalogOnMemory();
    await catalog.create(caller, definitionInput());
    const retail = { segment: 'retail' };
    expect((await catalog.assign({ experimentKey: 'checkout-test', unitId: 'u1', traits: retail, recordExposure: true })).status).toBe('not_running');
    await catalog.start(caller, 'checkout-test');
    expect((await catalog.assign({ experimentKey: 'checkout-test', unitId: 'u1', traits: { segment: 'sme' }, recordExposure: true })).status).toBe('not_targeted');
    const outcomes = await Promise.all(Array.from({ length: 400 }, (_, i) => catalog.assign({ experimentKey: 'checkout-test', unitId: `u${i}`, traits: retail, recordExposure: true })));
    const assigned = outcomes.filter((o) => o.status === 'assigned');
    const out = outcomes.filter((o) => o.status === 'out_of_traffic');
    expect(assigned.length + out.length).toBe(400);
    expect(assigned.length).toBeGreaterThan(150);
    expect(assigned.length).toBeLessThan(250);
    expect(exposures.recorded).toHaveLength(assigned.length);
    expect(exposures.recorded[0]).toMatchObject({ experimentKey: 'checkout-test', revision: 2, recordedBy: 'experiment', requestId: null });
    expect(assigned.find((o) => o.variant === 'green')?.model).toEqual({ modelName: 'bad-debt', version: 4 });
    exposures.fail = true;
    const first = assigned[0]!;
    expect(await code(catalog.assign({ experimentKey: 'checkout-test', unitId: first.unitId, traits: retail, recordExposure: true }))).toBe('UNAVAILABLE');
  });

  it('gives a unit the same variant on every call (property)', async () => {
    const { catalog } = await catalogOnMemory();
    await catalog.create(caller, definitionInput());
    await catalog.start(caller, 'checkout-test');
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 40 }).filter(wellFormed), async (unitId) => {
        const a = await catalog.assign({ experimentKey: 'checkout-test', unitId, traits: { segment: 'retail' }, recordExposure: false });
        const b = await catalog.assign({ experimentKey: 'checkout-test', unitId, traits: { segment: 'retail' }, recordExposure: false });
        expect(b).toEqual(a);
      }),
    );
  });
});
