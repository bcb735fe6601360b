import { featureKey, modelInputNumber, type FeatureSpec, type FeatureSpecColumn, type RawModelRow } from '@kuroshio/model-runtime';
import { invalidArgument } from './inference-errors.js';

/** A feature value as it arrives (explicit ScalarValue or the online store): null means no value. */
export type FeatureValue = number | string | boolean | null;

/** ScalarValue as the gRPC layer decodes it: at most one member set. */
export interface ScalarValueLike {
  doubleValue?: number | null;
  int64Value?: number | null;
  stringValue?: string | null;
  boolValue?: boolean | null;
}

export function scalarValue(value: ScalarValueLike | null | undefined): FeatureValue {
  if (value === null || value === undefined) return null;
  if (value.doubleValue !== null && value.doubleValue !== undefined) return value.doubleValue;
  if (value.int64Value !== null && value.int64Value !== undefined) return value.int64Value;
  if (value.stringValue !== null && value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== null && value.boolValue !== undefined) return value.boolValue;
  return null;
}

/** The model's inputs in spec order: numeric columns, then the text column (text classifier). */
export function specColumns(spec: FeatureSpec): FeatureSpecColumn[] {
  return spec.text === null ? [...spec.numeric] : [...spec.numeric, spec.text];
}

interface SpecLayout {
  readonly columns: readonly FeatureSpecColumn[];
  /** `view:feature` of each column, in spec order. */
  readonly names: readonly string[];
  readonly known: ReadonlySet<string>;
}

/** Per loaded spec, computed once: PredictBatch checks every row of a batch against it. */
const layouts = new WeakMap<FeatureSpec, SpecLayout>();

function specLayout(spec: FeatureSpec): SpecLayout {
  let layout = layouts.get(spec);
  if (layout === undefined) {
    const columns = specColumns(spec);
    const names = columns.map(featureKey);
    layout = { columns, names, known: new Set(names) };
    layouts.set(spec, layout);
  }
  return layout;
}

/** One instance's raw model row and the features that had no value (imputed by the normaliser). */
export interface PreparedRow {
  readonly row: RawModelRow;
  readonly missing: string[];
}

/**
 * Explicit features, checked against the spec: every name known, every spec feature given (a value
 * with no member set means "missing" and is imputed), numbers finite, and each value of its column's
 * kind. Every problem of the instance is listed in one INVALID_ARGUMENT.
 */
export function explicitRow(spec: FeatureSpec, features: Readonly<Record<string, ScalarValueLike | null | undefined>>, where = 'instance'): PreparedRow {
  const { columns, names, known } = specLayout(spec);
  const problems: string[] = [];
  const unknown = Object.keys(features).filter((name) => !known.has(name));
  if (unknown.length > 0) problems.push(`unknown feature(s) ${list(unknown)} (the model reads ${list(names)})`);
  const absent = names.filter((name) => !(name in features));
  if (absent.length > 0) problems.push(`feature(s) ${list(absent)} missing: explicit features must cover the model's feature spec (send a value with no member set for "unknown")`);
  const values = columns.map((column, c) => {
    const name = names[c] as string;
    const value = scalarValue(features[name]);
    if (typeof value === 'number' && !Number.isFinite(value)) problems.push(`${name} is ${value}: NaN and infinities are not feature values`);
    const isText = spec.text !== null && column === spec.text;
    if (value !== null && isText && typeof value !== 'string') problems.push(`${name} is text, got a ${typeof value}`);
    if (value !== null && !isText && typeof value === 'string') problems.push(`${name} is numeric (${column.valueType}), got a string`);
    return value;
  });
  if (problems.length > 0) throw invalidArgument('invalid_features', `${where}: ${problems.join('; ')}`, { problems });
  return toRow(spec, columns, values);
}

/** Values read from the online store (null: not present or expired), in spec order. */
export function onlineRow(spec: FeatureSpec, values: readonly FeatureValue[]): PreparedRow {
  return toRow(spec, specLayout(spec).columns, values);
}

function toRow(spec: FeatureSpec, columns: readonly FeatureSpecColumn[], values: readonly FeatureValue[]): PreparedRow {
  const missing: string[] = [];
  const numeric = new Float64Array(spec.numeric.length);
  spec.numeric.forEach((column, i) => {
    const number = modelInputNumber(values[i]);
    if (Number.isNaN(number)) missing.push(featureKey(column));
    numeric[i] = number;
  });
  let text: string | null = null;
  if (spec.text !== null) {
    const value = values[columns.length - 1];
    if (typeof value === 'string') text = value;
    else missing.push(featureKey(spec.text));
  }
  return { row: { numeric, text }, missing };
}

function list(names: readonly string[]): string {
  const shown = names.slice(0, 20).join(', ');
  return names.length > 20 ? `${shown} and ${names.length - 20} more` : shown;
}
