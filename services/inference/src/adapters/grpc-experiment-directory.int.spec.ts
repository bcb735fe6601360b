import { grpcJs } from '@kuroshio/contracts';
import { DomainError } from '@kuroshio/service-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeExperimentService } from '../testing/fake-grpc-servers.js';
import { GrpcExperimentDirectory } from './grpc-experiment-directory.js';

// The directory on a loopback fake experiment service (a network test, hence integration): its
// cache, shared calls and outage fallback.

const TTL_MS = 100;
const running = grpcJs.experiment.v1.Experiment.fromPartial({
  key: 'bad-debt-ab',
  salt: 'ab',
  revision: 3,
  state: grpcJs.experiment.v1.ExperimentState.EXPERIMENT_STATE_RUNNING,
  variants: [
    { key: 'champion', weight: 1, control: true, model: { modelName: 'bad-debt', version: 1 } },
    { key: 'challenger', weight: 1, model: { modelName: 'bad-debt', version: 2 } },
  ],
});

let service: FakeExperimentService | undefined;
let directory: GrpcExperimentDirectory | undefined;

async function setup() {
  service = new FakeExperimentService();
  service.experiments.set(running.key, running);
  directory = new GrpcExperimentDirectory(await service.start(), { cacheTtlMs: TTL_MS, timeoutMs: 1_000 });
  return { service, directory };
}

const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(async () => {
  directory?.close();
  await service?.stop();
});

describe('GrpcExperimentDirectory', () => {
  it('reads a definition once per TTL, concurrent requests sharing one call', async () => {
    const { service, directory } = await setup();
    const answers = await Promise.all([directory.get('bad-debt-ab'), directory.get('bad-debt-ab'), directory.get('bad-debt-ab')]);
    expect(answers.map((a) => a?.revision)).toEqual([3, 3, 3]);
    expect(answers[0]).toMatchObject({ key: 'bad-debt-ab', salt: 'ab', state: 'running', variants: [{ name: 'champion', model: { modelName: 'bad-debt', version: 1 } }, { name: 'challenger' }] });
    await directory.get('bad-debt-ab');
    expect(service.calls).toBe(1);
    await later(TTL_MS + 20);
    await directory.get('bad-debt-ab');
    expect(service.calls).toBe(2);
  });

  it('remembers for the TTL that an experiment does not exist', async () => {
    const { service, directory } = await setup();
    await expect(directory.get('unknown')).resolves.toBeUndefined();
    await expect(directory.get('unknown')).resolves.toBeUndefined();
    expect(service.calls).toBe(1);
  });

  it('keeps routing by the last definition while the service is down, and fails UNAVAILABLE without one', async () => {
    const { service, directory } = await setup();
    await directory.get('bad-debt-ab');
    await service.stop();
    await later(TTL_MS + 20);
    await expect(directory.get('bad-debt-ab')).resolves.toMatchObject({ key: 'bad-debt-ab', revision: 3 });
    // Trusted for another TTL: the outage costs one failed call per TTL, not one per request.
    await expect(directory.get('bad-debt-ab')).resolves.toMatchObject({ revision: 3 });
    const failure = await directory.get('other-experiment').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DomainError);
    expect(failure).toMatchObject({ code: 'UNAVAILABLE', reason: 'experiment_service_unavailable' });
  });
});
