import { featureKey, fitsFloat32, modelInputNumber, type FeatureSpec, type FeatureSpecColumn, type RawModelRow } from '@kuroshio/model-runtime';
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

/** The spec's columns (as specColumns), one array per loaded spec: lookups key their cache on it. */
export function specColumnsOnce(spec: FeatureSpec): readonly FeatureSpecColumn[] {
  return specLayout(spec).columns;
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
 * with no member set means "missing" and is imputed), numbers finite in float32 (the model's input
 * type), and each value of its column's kind. Every problem of the instance is listed in one INVALID_ARGUMENT.
 */
export function explicitRow(spec: FeatureSpec, features: Readonly<Record<string, ScalarValueLike | null | undefined>>, where = 'instance'): PreparedRow {
  const { columns, names, known } = specLayout(spec);
  const values = new Array<FeatureValue>(columns.length);
  let problems: string[] | undefined;
  let present = 0;
  for (let c = 0; c < columns.length; c++) {
    const name = names[c] as string;
    const given = features[name];
    if (given === undefined && !(name in features)) continue;
    present++;
    const value = scalarValue(given);
    values[c] = value;
    if (value === null) continue;
    if (typeof value === 'number' && !fitsFloat32(value)) {
      const why = Number.isFinite(value) ? 'beyond the float32 range (±3.4028235e38) of the model inputs' : 'NaN and infinities are not feature values';
      (problems ??= []).push(`${name} is ${value}: ${why}`);
    }
    const isText = spec.text !== null && columns[c] === spec.text;
    if (isText && typeof value !== 'string') (problems ??= []).push(`${name} is text, got a ${typeof value}`);
    if (!isText && typeof value === 'string') (problems ??= []).push(`${name} is numeric (${(columns[c] as FeatureSpecColumn).valueType}), got a string`);
  }
  // Every spec feature given and nothing else: the common case, decided without listing the names.
  if (problems !== undefined || present !== columns.length || countKeys(features) !== present) {
    const all: string[] = [];
    const unknown = Object.keys(features).filter((name) => !known.has(name));
    if (unknown.length > 0) all.push(`unknown feature(s) ${list(unknown)} (the model reads ${list(names)})`);
    const absent = names.filter((name) => !(name in features));
    if (absent.length > 0) all.push(`feature(s) ${list(absent)} missing: explicit features must cover the model's feature spec (send a value with no member set for "unknown")`);
    all.push(...(problems ?? []));
    if (all.length > 0) throw invalidArgument('invalid_features', `${where}: ${all.join('; ')}`, { problems: all });
  }
  return toRow(spec, columns, values);
}

/** Whether `features` has any key (without listing them). */
export function hasFeatures(features: Readonly<Record<string, unknown>>): boolean {
  for (const _ in features) return true;
  return false;
}

function countKeys(record: Readonly<Record<string, unknown>>): number {
  let count = 0;
  for (const _ in record) count++;
  return count;
}

/** Values read from the online store (null: not present or expired), in spec order. */
export function onlineRow(spec: FeatureSpec, values: readonly FeatureValue[]): PreparedRow {
  return toRow(spec, specLayout(spec).columns, values);
}

function toRow(spec: FeatureSpec, columns: readonly FeatureSpecColumn[], values: readonly FeatureValue[]): PreparedRow {
  let missing: string[] | undefined;
  const numeric = new Array<number>(spec.numeric.length);
  for (let i = 0; i < numeric.length; i++) {
    const number = modelInputNumber(values[i]);
    if (Number.isNaN(number)) (missing ??= []).push(featureKey(spec.numeric[i] as FeatureSpecColumn));
    numeric[i] = number;
  }
  let text: string | null = null;
  if (spec.text !== null) {
    const value = values[columns.length - 1];
    if (typeof value === 'string') text = value;
    else (missing ??= []).push(featureKey(spec.text));
  }
  return { row: { numeric, text }, missing: missing ?? [] };
}

function list(names: readonly string[]): string {
  const shown = names.slice(0, 20).join(', ');
  return names.length > 20 ? `${shown} and ${names.length - 20} more` : shown;
}
