import { describe, expect, it, vi } from 'vitest';
import { InMemoryModels } from '../testing/in-memory-serving.js';
import { ChallengerRouting } from './challenger-routing.js';
import { unavailable } from './inference-errors.js';

function setup(aliases: Record<string, number> = { champion: 1, challenger: 2 }) {
  const models = new InMemoryModels().register('bad-debt', [1, 2, 3], aliases);
  const lookups = vi.spyOn(models, 'getVersion');
  let now = 1_000_000;
  const failures: string[] = [];
  const routing = new ChallengerRouting(models, { cacheTtlMs: 10_000, now: () => now, onLookupFailed: (model) => failures.push(model) });
  return { models, lookups, routing, failures, advance: (ms: number) => (now += ms) };
}

const champion = { modelName: 'bad-debt', alias: 'champion' };

describe('ChallengerRouting', () => {
  it("gives the champion the retraining experiment of the model's challenger", async () => {
    const { routing } = setup();
    await expect(routing.experimentKey(champion)).resolves.toBe('retrain-bad-debt-v2');
  });

  it('applies to the champion alias only, without asking the registry for anything else', async () => {
    const { routing, lookups } = setup();
    await expect(routing.experimentKey({ modelName: 'bad-debt', version: 1 })).resolves.toBeUndefined();
    await expect(routing.experimentKey({ modelName: 'bad-debt', alias: 'staging' })).resolves.toBeUndefined();
    expect(lookups).not.toHaveBeenCalled();
  });

  it('asks the registry once per model per TTL, concurrent requests included, and sees a new challenger after it', async () => {
    const { routing, lookups, models, advance } = setup();
    await Promise.all([routing.experimentKey(champion), routing.experimentKey(champion)]);
    advance(10_000);
    await routing.experimentKey(champion);
    expect(lookups).toHaveBeenCalledOnce();
    models.aliases.set('bad-debt@challenger', 3);
    advance(1); // now older than the TTL
    await expect(routing.experimentKey(champion)).resolves.toBe('retrain-bad-debt-v3');
    expect(lookups).toHaveBeenCalledTimes(2);
  });

  it('remembers that a model has no challenger for the TTL too', async () => {
    const { routing, lookups } = setup({ champion: 1 });
    await expect(routing.experimentKey(champion)).resolves.toBeUndefined();
    await expect(routing.experimentKey(champion)).resolves.toBeUndefined();
    expect(lookups).toHaveBeenCalledOnce();
  });

  it('keeps the last answer while the registry is down, and reports the failure', async () => {
    const { routing, lookups, advance, failures } = setup();
    await routing.experimentKey(champion);
    lookups.mockRejectedValue(unavailable('registry_unavailable', 'down'));
    advance(10_001);
    await expect(routing.experimentKey(champion)).resolves.toBe('retrain-bad-debt-v2');
    expect(failures).toEqual(['bad-debt']);
    // The outage costs one call per TTL, not one per request.
    await routing.experimentKey(champion);
    expect(lookups).toHaveBeenCalledTimes(2);
  });

  it('routes nothing when the registry is down and there is no earlier answer', async () => {
    const { routing, lookups } = setup();
    lookups.mockRejectedValue(unavailable('registry_unavailable', 'down'));
    await expect(routing.experimentKey(champion)).resolves.toBeUndefined();
  });
});
