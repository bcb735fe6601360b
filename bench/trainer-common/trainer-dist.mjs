// The built trainer's plain domain functions (services/trainer/dist) and the model inputs it shares
// with inference (libs/model-runtime/dist), so benchmarks exercise the same code as a training job.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export async function trainerDist(root) {
  const dist = join(root, 'services/trainer/dist');
  if (!existsSync(join(dist, 'jobs/fit-and-evaluate.js'))) throw new Error('build the trainer first: npm run build');
  const load = (path) => import(pathToFileURL(join(dist, path)).href);
  const runtime = () => import(pathToFileURL(join(root, 'libs/model-runtime/dist/index.js')).href);
  const [fit, plan, synthetic, split, shared, loop, model, manifest] = await Promise.all([
    load('jobs/fit-and-evaluate.js'),
    load('jobs/training-plan.js'),
    load('testing/synthetic-training-set.js'),
    load('dataset/time-split.js'),
    runtime(),
    load('model/training-loop.js'),
    load('model/model-family.js'),
    load('training-set/training-set-manifest.js'),
  ]);
  return { ...fit, ...plan, ...synthetic, ...split, ...shared, ...loop, ...model, ...manifest };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
