import { featureSpec, fitNormaliser, type FeatureSpec, type Normaliser } from '@kuroshio/model-runtime';
import { createLogger } from '@kuroshio/telemetry';
import { ModelCatalog, type CatalogOptions } from '../domain/model-catalog.js';
import type { ExperimentDirectory, ExperimentRouting } from '../domain/experiment-routing.js';
import type { FeatureValue } from '../domain/feature-inputs.js';
import { notFound } from '../domain/inference-errors.js';
import type { OnlineFeatureSource } from '../domain/predictor.js';
import type { LoadedModel, ModelLoader, ModelRegistryPort, VersionArtifacts } from '../domain/serving-model.js';
import type { LogSender } from '../domain/prediction-log.js';

/** Two numeric features (a missing indicator on the second) and a linear "model": score = version/10 + Σ inputs / 1000. */
export function smallSpec(): { spec: FeatureSpec; normaliser: Normaliser } {
  const normaliser = fitNormaliser(
    [
      { name: 'billing__amount_sum_30d', values: Float64Array.of(100, 200, 300) },
      { name: 'billing__late_count_90d', values: Float64Array.of(0, Number.NaN, 2) },
    ],
    Uint32Array.of(0, 1, 2),
  );
  const column = (feature: string) => ({ column: `billing__${feature}`, featureView: 'billing', feature, version: 1, valueType: 'double' });
  return { spec: featureSpec({ family: 'mlp', inputWidth: normaliser.width, numeric: [column('amount_sum_30d'), column('late_count_90d')], text: null }), normaliser };
}

export class FakeLoadedModel implements LoadedModel {
  readonly calls: number[] = [];
  disposed = false;
  readonly spec: FeatureSpec;
  readonly normaliser: Normaliser;

  constructor(
    readonly modelName: string,
    readonly version: number,
    readonly artifact: LoadedModel['artifact'] = 'full',
  ) {
    ({ spec: this.spec, normaliser: this.normaliser } = smallSpec());
  }

  async score(inputs: Float32Array, rows: number): Promise<Float32Array> {
    if (this.disposed) throw new Error(`${this.modelName} v${this.version} used after dispose`);
    this.calls.push(rows);
    const width = this.spec.inputWidth;
    return Float32Array.from({ length: rows }, (_, r) => this.version / 10 + inputs.subarray(r * width, (r + 1) * width).reduce((a, b) => a + b, 0) / 1000);
  }

  dispose(): void {
    this.disposed = true;
  }
}

/** A registry and loader in memory: aliases point at versions; loads can be held back to test swaps. */
export class InMemoryModels implements ModelRegistryPort, ModelLoader {
  readonly aliases = new Map<string, number>();
  readonly versions = new Map<string, number[]>();
  readonly loaded: FakeLoadedModel[] = [];
  readonly gates = new Map<string, Promise<void>>();

  register(modelName: string, versions: number[], aliases: Record<string, number> = {}): this {
    this.versions.set(modelName, versions);
    for (const [alias, version] of Object.entries(aliases)) this.aliases.set(`${modelName}@${alias}`, version);
    return this;
  }

  async getVersion(modelName: string, selector: { alias: string } | { version: number }): Promise<VersionArtifacts> {
    const version = 'alias' in selector ? this.aliases.get(`${modelName}@${selector.alias}`) : selector.version;
    if (version === undefined || !(this.versions.get(modelName) ?? []).includes(version)) throw notFound('model_not_found', `no ${modelName} ${JSON.stringify(selector)}`);
    return { modelName, version, ready: true, artifacts: [] };
  }

  async load(version: VersionArtifacts): Promise<LoadedModel> {
    await this.gates.get(`${version.modelName}@${version.version}`);
    const model = new FakeLoadedModel(version.modelName, version.version);
    this.loaded.push(model);
    return model;
  }
}

/** Online values by entity, in spec column order; unknown entities have no values. */
export class FakeOnlineFeatures implements OnlineFeatureSource {
  readonly calls: string[][] = [];
  constructor(readonly values: Map<string, FeatureValue[]> = new Map()) {}

  async read(entityIds: readonly string[], columns: readonly unknown[]): Promise<FeatureValue[][]> {
    this.calls.push([...entityIds]);
    return entityIds.map((id) => this.values.get(id) ?? columns.map(() => null));
  }
}

/** A FAKE experiment directory: definitions held in memory. */
export class FakeExperimentDirectory implements ExperimentDirectory {
  constructor(readonly experiments: Map<string, ExperimentRouting> = new Map()) {}
  async get(key: string): Promise<ExperimentRouting | undefined> {
    return this.experiments.get(key);
  }
}

/** Records what the prediction log sends; can be made to fail. */
export class RecordingSender implements LogSender {
  readonly sent: Array<{ topic: string; key: string; value: unknown }> = [];
  failing = false;
  async send(topic: string, messages: ReadonlyArray<{ key: string; value: Buffer }>): Promise<void> {
    if (this.failing) throw new Error('kafka down');
    for (const m of messages) this.sent.push({ topic, key: m.key, value: JSON.parse(m.value.toString('utf8')) });
  }
}

const SILENT = createLogger({ service: 'inference-test', level: 'silent' });

/**
 * A catalog over in-memory models as the tests use it: micro-batching on (batches of 8, no queue
 * delay, one batch at a time), a 5 s cold-load wait, a silent logger; `overrides` change any of it.
 */
export function catalogOver(
  models: InMemoryModels,
  overrides: Partial<Omit<CatalogOptions, 'registry' | 'loader' | 'batching'>> & { batching?: Partial<CatalogOptions['batching']> } = {},
): ModelCatalog {
  const { batching, ...rest } = overrides;
  return new ModelCatalog({
    registry: models,
    loader: models,
    coldLoadWaitMs: 5_000,
    logger: SILENT,
    ...rest,
    batching: { enabled: true, maxBatchSize: 8, maxQueueDelayMs: 0, maxQueuedRows: 1_000, maxConcurrentBatches: 1, ...batching },
  });
}
