// The built trainer's plain domain functions (services/trainer/dist), so benchmarks exercise the
// same code as a training job.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export async function trainerDist(root) {
  const dist = join(root, 'services/trainer/dist');
  if (!existsSync(join(dist, 'jobs/fit-and-evaluate.js'))) throw new Error('build the trainer first: npm run build');
  const load = (path) => import(pathToFileURL(join(dist, path)).href);
  const [fit, plan, synthetic, split, backend, loop, model, inputs, normaliser, manifest] = await Promise.all([
    load('jobs/fit-and-evaluate.js'),
    load('jobs/training-plan.js'),
    load('testing/synthetic-training-set.js'),
    load('dataset/time-split.js'),
    load('tfjs/backend-selection.js'),
    load('model/training-loop.js'),
    load('model/model-family.js'),
    load('dataset/model-inputs.js'),
    load('dataset/normaliser.js'),
    load('training-set/training-set-manifest.js'),
  ]);
  return { ...fit, ...plan, ...synthetic, ...split, ...backend, ...loop, ...model, ...inputs, ...normaliser, ...manifest };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
