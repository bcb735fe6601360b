import { randomUUID } from 'node:crypto';
import { EXPERIMENT_KEY_PATTERN, encodeTopicValue, TOPICS, type ExposureValue } from '@kuroshio/contracts';
import { featureVectorHash, modelInputBlock, type FeatureSpecColumn } from '@kuroshio/model-runtime';
import type { ChallengerRouting } from './challenger-routing.js';
import { routeUnit, type ExperimentDirectory, type ExperimentRouting, type RoutedVariant } from './experiment-routing.js';
import { explicitRow, hasFeatures, onlineRow, specColumnsOnce, type FeatureValue, type PreparedRow, type ScalarValueLike } from './feature-inputs.js';
import { deadlineExceeded, inferenceError, invalidArgument, notFound } from './inference-errors.js';
import type { ModelCatalog, ServingModel } from './model-catalog.js';
import { describeTarget, type ModelTarget } from './model-selector.js';
import type { LogRecord, PredictionLog } from './prediction-log.js';
import { PredictionValueEncoder, type SharedPredictionFields } from './prediction-records.js';

/** Online feature values for entities × the model's columns (null: no value); UNAVAILABLE when the store cannot answer. */
export interface OnlineFeatureSource {
  read(entityIds: readonly string[], columns: readonly FeatureSpecColumn[], deadlineMs: number): Promise<FeatureValue[][]>;
}

export interface InstanceInput {
  readonly entityId: string;
  readonly features: Readonly<Record<string, ScalarValueLike | null | undefined>>;
}

export interface PredictionInput {
  readonly target: ModelTarget;
  readonly instances: readonly InstanceInput[];
  /** Empty: generated. */
  readonly requestId: string;
  /** Empty: no experiment. */
  readonly experimentKey: string;
  /** Absolute epoch ms by which the caller needs the answer. */
  readonly deadlineMs: number;
  /** PredictBatch names its items `<request>#<i>` in the log; Predict uses the request id itself. */
  readonly batch: boolean;
}

export interface PredictionOutput {
  readonly modelName: string;
  readonly modelVersion: number;
  readonly scores: number[];
  readonly classLabels: string[];
  readonly experimentKey: string;
  readonly variant: string;
  readonly missingFeatures: string[];
}

export interface PredictorOptions {
  readonly catalog: ModelCatalog;
  readonly features: OnlineFeatureSource;
  readonly experiments: ExperimentDirectory;
  /** Routes requests for a champion by its challenger's retraining experiment; absent: never. */
  readonly challengers?: ChallengerRouting;
  readonly log: PredictionLog;
  readonly topics: { readonly predictions: string; readonly exposures: string };
  readonly maxBatchInstances: number;
  /** After each model group of a request: its rows and how long its two stages took. */
  readonly observe?: (served: ServedGroup) => void;
}

export interface ServedGroup {
  readonly modelName: string;
  readonly version: number;
  readonly rows: number;
  /** Joining the online features (cache included) and building the model's input; next to nothing when every instance brought its own. */
  readonly featureSeconds: number;
  /** Waiting in the micro-batcher's queue plus the model call. */
  readonly modelSeconds: number;
}

const MAX_REQUEST_ID = 100;
const MAX_ENTITY_ID = 256;

interface Group {
  readonly target: ModelTarget;
  readonly members: number[];
}

/**
 * Predict and PredictBatch as plain domain code: checks the request, routes each instance by the
 * experiment (if any), resolves the serving version, joins online features (or takes explicit
 * ones), vectorises them exactly as training did, scores through the micro-batcher, and hands the
 * predictions (and exposures) to the prediction log once the answer is ready.
 */
export class Predictor {
  constructor(private readonly options: PredictorOptions) {}

  async predict(input: PredictionInput): Promise<{ requestId: string; predictions: PredictionOutput[] }> {
    const started = performance.now();
    const requestId = checkRequest(input, this.options.maxBatchInstances);
    if (Date.now() >= input.deadlineMs) throw deadlineExceeded('the deadline had passed when the request arrived');
    const routed = await this.#route(input);
    // Room for every record (a prediction each, an exposure per routed unit) before any model work:
    // a full log sheds the request instead of dropping records.
    const reservation = this.options.log.reserve(input.instances.length + routed.reduce((exposures, route) => exposures + (route === undefined ? 0 : 1), 0));
    try {
      const groups = groupByTarget(input.target, routed);
      const outputs = new Array<PredictionOutput>(input.instances.length);
      const hashes = new Array<string>(input.instances.length);
      const served = new Array<ServingModel>(input.instances.length);
      await Promise.all(
        groups.map(async (group) => {
          const serving = await this.options.catalog.resolve(group.target, input.deadlineMs);
          serving.leases += 1;
          try {
            const { spec, normaliser } = serving.model;
            const joining = performance.now();
            const rows = await this.#rows(serving, group.members.map((i) => input.instances[i] as InstanceInput), group.members, input.deadlineMs);
            const block = modelInputBlock(spec, normaliser, rows.map((r) => r.row));
            if (Date.now() > input.deadlineMs) throw deadlineExceeded('the deadline passed before the model ran');
            const scoring = performance.now();
            const scores = await serving.score(block, rows.length);
            const scored = performance.now();
            checkScoresFinite(scores, rows.length, group.members, serving, input.batch);
            const width = spec.inputWidth;
            group.members.forEach((i, at) => {
              const route = routed[i];
              outputs[i] = {
                modelName: serving.model.modelName,
                modelVersion: serving.model.version,
                scores: [scores[at] as number],
                classLabels: [],
                experimentKey: route?.experimentKey ?? '',
                variant: route?.variant ?? '',
                missingFeatures: (rows[at] as PreparedRow).missing,
              };
              hashes[i] = featureVectorHash(block.subarray(at * width, (at + 1) * width));
              served[i] = serving;
            });
            this.options.observe?.({
              modelName: serving.model.modelName,
              version: serving.model.version,
              rows: rows.length,
              featureSeconds: (scoring - joining) / 1000,
              modelSeconds: (scored - scoring) / 1000,
            });
          } finally {
            serving.leases -= 1;
          }
        }),
      );
      reservation.commit(this.#records(input, requestId, outputs, hashes, served, routed, performance.now() - started));
      return { requestId, predictions: outputs };
    } catch (error) {
      reservation.release();
      throw error;
    }
  }

  async #route(input: PredictionInput): Promise<Array<RoutedVariant | undefined>> {
    let experiment: ExperimentRouting | undefined;
    if (input.experimentKey !== '') {
      experiment = await this.options.experiments.get(input.experimentKey);
      if (experiment === undefined) throw notFound('unknown_experiment', `experiment ${input.experimentKey} does not exist`);
    } else {
      experiment = await this.#challengerExperiment(input.target);
      if (experiment === undefined) return input.instances.map(() => undefined);
    }
    return input.instances.map((instance) => {
      const outcome = routeUnit(experiment, instance.entityId === '' ? null : instance.entityId, input.target);
      return outcome.applied ? outcome.routed : undefined;
    });
  }

  /**
   * The retraining experiment of the champion's challenger (ChallengerRouting), if the request is
   * for a champion and one exists. Never fails the request: the experiment service being
   * unreachable leaves the champion serving alone, as routing by nothing would.
   */
  async #challengerExperiment(target: ModelTarget): Promise<ExperimentRouting | undefined> {
    const challengers = this.options.challengers;
    if (challengers === undefined) return undefined;
    try {
      const key = await challengers.experimentKey(target);
      return key === undefined ? undefined : await this.options.experiments.get(key);
    } catch {
      return undefined;
    }
  }

  async #rows(serving: ServingModel, instances: readonly InstanceInput[], indices: readonly number[], deadlineMs: number): Promise<PreparedRow[]> {
    const { spec } = serving.model;
    const rows = new Array<PreparedRow>(instances.length);
    const online: number[] = [];
    instances.forEach((instance, at) => {
      if (hasFeatures(instance.features)) rows[at] = explicitRow(spec, instance.features, `instances[${indices[at]}]`);
      else online.push(at);
    });
    if (online.length > 0) {
      const values = await this.options.features.read(
        online.map((at) => (instances[at] as InstanceInput).entityId),
        specColumnsOnce(spec),
        deadlineMs,
      );
      online.forEach((at, k) => (rows[at] = onlineRow(spec, values[k] ?? [])));
    }
    return rows;
  }

  #records(
    input: PredictionInput,
    requestId: string,
    outputs: readonly PredictionOutput[],
    hashes: readonly string[],
    served: readonly ServingModel[],
    routed: ReadonlyArray<RoutedVariant | undefined>,
    latencyMs: number,
  ): LogRecord[] {
    const servedAt = new Date().toISOString();
    // The caller's request id may repeat (across entities, models, calls); the log's dedup key must not.
    const values = new PredictionValueEncoder(requestId, input.batch, latencyMs, servedAt, randomUUID());
    const shared = new SharedFields();
    const records: LogRecord[] = [];
    for (let i = 0; i < outputs.length; i++) {
      const output = outputs[i] as PredictionOutput;
      const instance = input.instances[i] as InstanceInput;
      const entityId = instance.entityId === '' ? null : instance.entityId;
      const route = routed[i];
      const value = values.encode(i, entityId, shared.of(served[i] as ServingModel, route), output.scores, hashes[i] as string);
      const itemId = (): string => (input.batch ? `${requestId}#${i}` : requestId);
      records.push({ topic: this.options.topics.predictions, key: entityId ?? itemId(), value });
      if (route !== undefined && entityId !== null) {
        const exposure: ExposureValue = {
          experimentKey: route.experimentKey,
          variant: route.variant,
          unitId: entityId,
          revision: route.revision,
          recordedBy: 'inference',
          requestId: itemId(),
          exposedAt: servedAt,
        };
        records.push({ topic: this.options.topics.exposures, key: entityId, value: encodeTopicValue(TOPICS.experimentExposures, exposure) });
      }
    }
    return records;
  }
}

/** The fields a request's predictions share per serving version and route, one object each (the encoder reuses its rendering). */
class SharedFields {
  #lastServing: ServingModel | undefined;
  #lastRoute: RoutedVariant | undefined;
  #last: SharedPredictionFields | undefined;
  readonly #known = new Map<ServingModel, Map<string, SharedPredictionFields>>();

  of(serving: ServingModel, route: RoutedVariant | undefined): SharedPredictionFields {
    if (this.#last !== undefined && serving === this.#lastServing && route === this.#lastRoute) return this.#last;
    let byRoute = this.#known.get(serving);
    if (byRoute === undefined) this.#known.set(serving, (byRoute = new Map()));
    const key = route === undefined ? '' : `${route.experimentKey}\u0000${route.variant}`;
    let fields = byRoute.get(key);
    if (fields === undefined) {
      const { modelName, version, artifact } = serving.model;
      fields = { modelName, modelVersion: version, artifact, experimentKey: route?.experimentKey ?? null, variant: route?.variant ?? null };
      byRoute.set(key, fields);
    }
    this.#lastServing = serving;
    this.#lastRoute = route;
    this.#last = fields;
    return fields;
  }
}

/** Checks what can be checked before any lookup; returns the request id to use. */
function checkRequest(input: PredictionInput, maxBatchInstances: number): string {
  if (input.requestId.length > MAX_REQUEST_ID) throw invalidArgument('invalid_request_id', `request_id is longer than ${MAX_REQUEST_ID} characters`);
  if (input.experimentKey !== '' && !EXPERIMENT_KEY_PATTERN.test(input.experimentKey)) {
    throw invalidArgument('invalid_experiment_key', `experiment_key ${JSON.stringify(input.experimentKey.slice(0, 80))} is not an experiment key`);
  }
  if (input.instances.length === 0) throw invalidArgument('no_instances', input.batch ? 'instances is empty: nothing to score' : 'instance is required');
  if (input.instances.length > maxBatchInstances) {
    throw invalidArgument('batch_too_large', `${input.instances.length} instances in one request; at most ${maxBatchInstances} (split the batch)`, { maxBatchInstances });
  }
  input.instances.forEach((instance, i) => {
    const where = () => (input.batch ? `instances[${i}]` : 'instance');
    if (instance.entityId === '' && !hasFeatures(instance.features)) throw invalidArgument('empty_instance', `${where()} has neither an entity_id nor features`);
    if (instance.entityId.length > MAX_ENTITY_ID) throw invalidArgument('invalid_entity_id', `${where()}.entity_id is longer than ${MAX_ENTITY_ID} characters`);
  });
  return input.requestId === '' ? randomUUID() : input.requestId;
}

/**
 * A NaN or infinite score is never answered (nor logged: the topic refuses it). Inputs are checked
 * to fit float32, but a normalised online value or the model itself can still overflow: INTERNAL,
 * naming the instances, for the whole request, as PredictBatch reports every failure.
 */
function checkScoresFinite(scores: ArrayLike<number>, rows: number, members: readonly number[], serving: ServingModel, batch: boolean): void {
  let bad: number[] | undefined;
  for (let at = 0; at < rows; at++) if (!Number.isFinite(scores[at] as number)) (bad ??= []).push(at);
  if (bad === undefined) return;
  const { modelName, version } = serving.model;
  const where = batch ? `instances[${bad.slice(0, 20).map((at) => members[at]).join(', ')}]${bad.length > 20 ? ` and ${bad.length - 20} more` : ''}` : 'the instance';
  throw inferenceError('INTERNAL', 'non_finite_score', `${modelName} v${version} gave a non-finite score (${scores[bad[0] as number]}) for ${where}; nothing was answered or logged for this request`, {
    modelName,
    version,
  });
}

function groupByTarget(requested: ModelTarget, routed: ReadonlyArray<RoutedVariant | undefined>): Group[] {
  if (routed.every((route) => route === undefined)) return [{ target: requested, members: routed.map((_, i) => i) }];
  const groups = new Map<string, Group>();
  const byTarget = new Map<ModelTarget, Group>();
  routed.forEach((route, i) => {
    const target = route?.target ?? requested;
    let group = byTarget.get(target);
    if (group === undefined) {
      const id = describeTarget(target);
      group = groups.get(id) ?? { target, members: [] };
      groups.set(id, group);
      byTarget.set(target, group);
    }
    group.members.push(i);
  });
  return [...groups.values()];
}
