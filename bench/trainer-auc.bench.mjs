// Test AUC of the trainer's MLP and logistic regression beside scikit-learn's LogisticRegression, on
// one synthetic data set with a known logistic ground truth (20 features, 50k rows, ~10 % positive)
// and the same time-based split (oldest 70 % train / next 15 % validation / newest 15 % test), which
// is also written to CSV files for the Python side. Requirement: our models' test AUC within 0.02 of
// scikit-learn's. The ceiling (AUC of the true logit) is reported beside them.
// Run: flock /tmp/kuroshio-bench.lock npm run bench trainer-auc   (needs `npm run build`)
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePythonPackages } from './trainer-common/python-venv.mjs';
import { trainerDist } from './trainer-common/trainer-dist.mjs';

const ROWS = Number(process.env.TRAINER_AUC_ROWS || 50_000);
const FEATURES = 20;
const SEED = 2026;
const TOLERANCE = 0.02;

export default async function run(ctx) {
  const python = await ensurePythonPackages(ctx, 'bench/trainer-auc/requirements.txt', ['sklearn']);
  const t = await trainerDist(ctx.root);
  const backend = await t.selectBackend();
  ctx.log(`backend ${backend.name}${backend.simd ? ' (SIMD)' : ''}`);

  const set = t.syntheticTrainingSet({ exportId: 'bench-auc', rows: ROWS, features: FEATURES, seed: SEED, intercept: -3.5 });
  const positiveRate = set.manifest.positiveCount / set.manifest.rowCount;
  ctx.log(`${ROWS} rows, ${(positiveRate * 100).toFixed(1)} % positive`);
  if (positiveRate < 0.05 || positiveRate > 0.2) throw new Error(`positive rate ${positiveRate} is not rare-ish (~10 %)`);

  const split = { kind: 'fractions', validation: 0.15, test: 0.15 };
  const results = {};
  let table;
  for (const family of ['logistic_regression', 'mlp']) {
    const plan = { family, features: [], hyperparameters: { ...t.defaultHyperparameters(family), text: null }, split, seed: 1, decisionThreshold: 0.5 };
    const read = await t.readPlannedTable(set.data, set.manifest, plan);
    table = read.table;
    const started = process.cpuUsage();
    const fitted = await t.fitAndEvaluate(read.table, read.columns, plan);
    const cpu = process.cpuUsage(started);
    results[family] = { auc: fitted.evaluation.metrics.roc_auc, epochs: fitted.outcome.epochsRun, bestEpoch: fitted.outcome.bestEpoch, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
    ctx.log(`${family}: test AUC ${results[family].auc.toFixed(4)} after ${results[family].epochs} epochs (${results[family].cpuSeconds.toFixed(1)} s CPU)`);
    fitted.model.dispose();
  }

  // The same split, to files, for scikit-learn; and the ceiling from the true coefficients.
  const { train, test } = t.timeSplit(table.labelTimesMs, table.entityIds, split);
  const columns = set.coefficients.map((_, j) => table.numeric.get(`synthetic__f${j}`));
  const folder = await mkdtemp(join(tmpdir(), 'trainer-auc-'));
  try {
    const csv = (rows) => ['label,' + columns.map((_, j) => `f${j}`).join(','), ...Array.from(rows, (r) => [table.labels[r], ...columns.map((c) => c[r])].join(','))].join('\n') + '\n';
    await writeFile(join(folder, 'train.csv'), csv(train));
    await writeFile(join(folder, 'test.csv'), csv(test));
    const { stdout } = await ctx.exec(python, [join(ctx.root, 'bench/trainer-auc/sklearn_reference.py'), folder], { timeoutMs: 10 * 60_000 });
    const sklearn = JSON.parse(stdout.trim().split('\n').pop());
    const trueLogit = Array.from(test, (r) => columns.reduce((sum, c, j) => sum + c[r] * set.coefficients[j], 0));
    const ceiling = (await import('../services/trainer/dist/evaluation/roc-auc.js')).rocAuc(Array.from(test, (r) => table.labels[r]), trueLogit);
    ctx.log(`scikit-learn LogisticRegression: test AUC ${sklearn.test_auc.toFixed(4)}; true-logit ceiling ${ceiling.toFixed(4)}`);

    const params = { rows: ROWS, features: FEATURES, positiveRate, trainRows: train.length, testRows: test.length, split: '70/15/15 by label_time_ms', backend: backend.name, ceilingAuc: ceiling, tolerance: TOLERANCE };
    const figures = [
      { family: 'mlp', name: 'trainer-auc/mlp-test-auc' },
      { family: 'logistic_regression', name: 'trainer-auc/lr-test-auc' },
    ].map(({ family, name }) => ({
      name,
      unit: 'AUC',
      value: results[family].auc,
      better: 'higher',
      reference: { name: 'sklearn-logistic-regression/test-auc', value: sklearn.test_auc },
      params: { ...params, epochs: results[family].epochs, bestEpoch: results[family].bestEpoch, cpuSeconds: results[family].cpuSeconds, gap: results[family].auc - sklearn.test_auc },
    }));
    const misses = figures.filter((f) => Math.abs(f.value - sklearn.test_auc) > TOLERANCE);
    if (misses.length > 0) throw new Error(`test AUC more than ${TOLERANCE} from scikit-learn's ${sklearn.test_auc}: ${misses.map((f) => `${f.name} ${f.value}`).join(', ')}`);
    return figures;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
