import { randomUUID } from 'node:crypto';
import { ModelRegistry } from '../domain/model-registry.js';
import { InMemoryChangeLog, ManualClock, MODELS_BUCKET, RecordingAliasSink, RecordingVerifier } from './in-memory-ports.js';

/** A registry on in-memory ports, rebuilt and ready. */
export async function registryOnMemory(options: { log?: InMemoryChangeLog; clock?: ManualClock; readPageSize?: number } = {}) {
  const log = options.log ?? new InMemoryChangeLog();
  const clock = options.clock ?? new ManualClock();
  const aliasChanges = new RecordingAliasSink();
  const artifacts = new RecordingVerifier();
  const registry = new ModelRegistry({
    log,
    aliasChanges,
    artifacts,
    artifactBuckets: [MODELS_BUCKET],
    clock: clock.now,
    newEventId: randomUUID,
    ...(options.readPageSize === undefined ? {} : { readPageSize: options.readPageSize }),
  });
  await registry.rebuild();
  return { registry, log, clock, aliasChanges, artifacts };
}
