// MLP training throughput of the trainer (TensorFlow.js, the backend the service selects: wasm with
// SIMD here; plus the plain cpu backend) beside Keras (TensorFlow Python) training the same
// architecture (20 → 64 relu → 32 relu → 1 sigmoid, Adam, binary cross-entropy) on the same 50k
// rows with the same batch size and epochs, in the same run. Each side trains REPEATS times from
// fresh weights after one uncounted warm-up run; medians are quoted. Figures: samples/s (wall) and CPU ms per 1k samples (the
// machine has 2 shared cores; TensorFlow Python uses both, the wasm backend one).
// Run: flock /tmp/kuroshio-bench.lock npm run bench trainer-throughput   (needs `npm run build`;
// installs tensorflow into .tools/venv from bench/trainer-throughput/requirements.txt once)
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePythonPackages } from './trainer-common/python-venv.mjs';
import { median, trainerDist } from './trainer-common/trainer-dist.mjs';

const ROWS = Number(process.env.TRAINER_THROUGHPUT_ROWS || 50_000);
const FEATURES = 20;
const EPOCHS = Number(process.env.TRAINER_THROUGHPUT_EPOCHS || 2);
const BATCH = 256;
const REPEATS = Number(process.env.TRAINER_THROUGHPUT_REPEATS || 3);
const HIDDEN = [64, 32];

export default async function run(ctx) {
  const python = await ensurePythonPackages(ctx, 'bench/trainer-throughput/requirements.txt', ['tensorflow']);
  const t = await trainerDist(ctx.root);
  const selected = await t.selectBackend();
  const set = t.syntheticTrainingSet({ exportId: 'bench-throughput', rows: ROWS, features: FEATURES, seed: 7, intercept: -3.5 });
  const plan = { family: 'mlp', features: [], hyperparameters: { ...t.defaultHyperparameters('mlp'), text: null }, split: { kind: 'fractions', validation: 0, test: 0.01 }, seed: 1, decisionThreshold: 0.5 };
  const { table, columns } = await t.readPlannedTable(set.data, set.manifest, plan);
  const values = columns.numeric.map((c) => table.numeric.get(c.column));
  const all = Uint32Array.from({ length: table.rowCount }, (_, i) => i);
  const normaliser = t.fitNormaliser(columns.numeric.map((c, i) => ({ name: c.column, values: values[i] })), all);
  const inputs = t.modelInputs({ normaliser, numericValues: values });
  const rows = { inputs, labels: table.labels, weights: new Float32Array(table.rowCount).fill(1), train: all, validation: new Uint32Array(0) };
  const settings = { epochs: EPOCHS, batchSize: BATCH, learningRate: 0.001, dropout: 0, l2: 0, patience: 0 };

  const tfjsRuns = {};
  for (const backend of [selected.name === 'wasm' ? 'wasm' : selected.name, 'cpu']) {
    if (backend === 'wasm' || backend === 'cpu') await t.useBackend(backend);
    tfjsRuns[backend] = [];
    // Repeat 0 warms up (wasm compilation, kernel caches) and is not counted; Keras does the same.
    for (let repeat = 0; repeat <= REPEATS; repeat++) {
      const model = t.buildClassifier(inputs.width, HIDDEN, repeat + 1);
      const wall = performance.now();
      const cpu = process.cpuUsage();
      await t.trainClassifier(model, rows, { ...settings, seed: repeat + 1 });
      const used = process.cpuUsage(cpu);
      if (repeat > 0) tfjsRuns[backend].push({ wallSeconds: (performance.now() - wall) / 1000, cpuSeconds: (used.user + used.system) / 1e6 });
      model.dispose();
    }
    ctx.log(`tfjs ${backend}: ${tfjsRuns[backend].map((r) => Math.round((ROWS * EPOCHS) / r.wallSeconds)).join(', ')} samples/s`);
  }

  const folder = await mkdtemp(join(tmpdir(), 'trainer-throughput-'));
  let keras;
  try {
    const x = new Float32Array(ROWS * FEATURES);
    for (let r = 0; r < ROWS; r++) inputs.fillRow(r, x, r * FEATURES);
    await writeFile(join(folder, 'x.f32'), Buffer.from(x.buffer));
    await writeFile(join(folder, 'y.f32'), Buffer.from(Float32Array.from(table.labels).buffer));
    const { stdout } = await ctx.exec(python, [join(ctx.root, 'bench/trainer-throughput/keras_reference.py'), folder, ROWS, FEATURES, EPOCHS, BATCH, REPEATS, 0].map(String), { timeoutMs: 20 * 60_000 });
    keras = JSON.parse(stdout.trim().split('\n').pop());
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
  ctx.log(`keras (tensorflow ${keras.tensorflow}): ${keras.runs.map((r) => Math.round((ROWS * EPOCHS) / r.wall_seconds)).join(', ')} samples/s`);

  const samples = ROWS * EPOCHS;
  const rate = (runs, key) => median(runs.map((r) => samples / r[key]));
  const cpuPerK = (runs, key) => median(runs.map((r) => (r[key] * 1000 * 1000) / samples));
  const kerasRate = rate(keras.runs, 'wall_seconds');
  const kerasCpu = cpuPerK(keras.runs, 'cpu_seconds');
  const params = { rows: ROWS, features: FEATURES, hidden: HIDDEN, batchSize: BATCH, epochs: EPOCHS, repeats: REPEATS, optimizer: 'adam(0.001)', tensorflow: keras.tensorflow, selectedBackend: selected.name, simd: selected.simd };
  const figures = [];
  for (const backend of Object.keys(tfjsRuns)) {
    figures.push({
      name: `trainer-throughput/tfjs-${backend}-samples-per-sec`,
      unit: 'samples/s',
      value: rate(tfjsRuns[backend], 'wallSeconds'),
      better: 'higher',
      reference: { name: 'keras/samples-per-sec', value: kerasRate },
      params: { ...params, backend, runs: tfjsRuns[backend] },
    });
    figures.push({
      name: `trainer-throughput/tfjs-${backend}-cpu-ms-per-1k-samples`,
      unit: 'CPU ms/1k samples',
      value: cpuPerK(tfjsRuns[backend], 'cpuSeconds'),
      better: 'lower',
      reference: { name: 'keras/cpu-ms-per-1k-samples', value: kerasCpu },
      params: { ...params, backend, kerasRuns: keras.runs },
    });
  }
  return figures;
}
