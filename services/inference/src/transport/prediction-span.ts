import type { Attributes, AttributeValue, Span } from '@opentelemetry/api';
import { withSpan } from '@kuroshio/telemetry';
import { isAliasTarget } from '../domain/model-selector.js';
import type { PredictionInput, PredictionOutput } from '../domain/predictor.js';

/**
 * One span per Predict/PredictBatch request (per message on a stream) around the prediction work,
 * so the feature-store, registry and experiment calls it makes sit under it: what was asked for
 * (model, alias or version, experiment, rows) and, once answered, what served it.
 */
export function tracedPrediction<T extends { readonly predictions: readonly PredictionOutput[] }>(input: PredictionInput, predict: () => Promise<T>): Promise<T> {
  const { target } = input;
  const attributes: Attributes = {
    'kuroshio.model.name': target.modelName,
    'kuroshio.prediction.rows': input.instances.length,
    ...(isAliasTarget(target) ? { 'kuroshio.model.alias': target.alias } : { 'kuroshio.model.version': target.version }),
    ...(input.experimentKey === '' ? {} : { 'kuroshio.experiment.key': input.experimentKey }),
  };
  return withSpan(`predict ${target.modelName}`, attributes, async (span) => {
    const result = await predict();
    recordServed(span, result.predictions);
    return result;
  });
}

function recordServed(span: Span, predictions: readonly PredictionOutput[]): void {
  if (predictions.length === 1) {
    // Predict (and a stream message): one prediction, attributes as they are (no sets to build).
    const [prediction] = predictions as [PredictionOutput];
    span.setAttributes({ 'kuroshio.model.name': prediction.modelName, 'kuroshio.model.version': prediction.modelVersion });
    if (prediction.variant !== '') span.setAttribute('kuroshio.experiment.variant', prediction.variant);
    return;
  }
  const names = new Set<string>();
  const versions = new Set<number>();
  const variants = new Set<string>();
  for (const prediction of predictions) {
    names.add(prediction.modelName);
    versions.add(prediction.modelVersion);
    if (prediction.variant !== '') variants.add(prediction.variant);
  }
  // One value as such; an experiment splitting a batch between variants gives several.
  const one = <V extends string | number>(values: Set<V>): AttributeValue => (values.size === 1 ? ([...values][0] as V) : ([...values] as string[] | number[]));
  if (names.size > 0) span.setAttributes({ 'kuroshio.model.name': one(names), 'kuroshio.model.version': one(versions) });
  if (variants.size > 0) span.setAttribute('kuroshio.experiment.variant', one(variants));
}
