import { ALIAS_PATTERN, MODEL_NAME_PATTERN } from '@kuroshio/contracts';
import { invalidArgument } from './inference-errors.js';

/** A model addressed by alias (follows alias changes) or by pinned version. */
export type AliasTarget = { readonly modelName: string; readonly alias: string };
export type VersionTarget = { readonly modelName: string; readonly version: number };
export type ModelTarget = AliasTarget | VersionTarget;

export function isAliasTarget(target: ModelTarget): target is AliasTarget {
  return 'alias' in target;
}

export function describeTarget(target: ModelTarget): string {
  return isAliasTarget(target) ? `${target.modelName}@${target.alias}` : `${target.modelName}@${target.version}`;
}

/** `model@alias` or `model@version` (config), or an error message. */
export function parseModelTarget(raw: string): ModelTarget | string {
  const match = /^([^@]+)@([^@]+)$/.exec(raw);
  if (match === null) return `expected model@alias or model@version, got ${JSON.stringify(raw)}`;
  const [, modelName = '', selector = ''] = match;
  if (!MODEL_NAME_PATTERN.test(modelName)) return `invalid model name ${JSON.stringify(modelName)}`;
  if (/^[1-9][0-9]{0,8}$/.test(selector)) return { modelName, version: Number(selector) };
  if (!ALIAS_PATTERN.test(selector)) return `invalid alias ${JSON.stringify(selector)}`;
  return { modelName, alias: selector };
}

/** The request's ModelSelector, checked: a valid model name and exactly one of alias or version. */
export function modelTargetOf(selector: { modelName?: string; alias?: string | null; version?: number | null } | null | undefined): ModelTarget {
  if (selector === null || selector === undefined) throw invalidArgument('model_missing', 'model is required (model_name plus alias or version)');
  const modelName = selector.modelName ?? '';
  if (!MODEL_NAME_PATTERN.test(modelName)) {
    throw invalidArgument('invalid_model_name', `model.model_name ${JSON.stringify(modelName.slice(0, 80))} is not a model name (lower-case letters, digits and hyphens, from a letter)`);
  }
  const hasAlias = selector.alias !== null && selector.alias !== undefined && selector.alias !== '';
  const hasVersion = selector.version !== null && selector.version !== undefined && selector.version !== 0;
  if (hasAlias === hasVersion) throw invalidArgument('model_target_missing', 'model needs exactly one of alias or version (a version is 1 or more)');
  if (hasVersion) return { modelName, version: selector.version as number };
  const alias = selector.alias as string;
  if (!ALIAS_PATTERN.test(alias)) throw invalidArgument('invalid_alias', `model.alias ${JSON.stringify(alias.slice(0, 80))} is not an alias`);
  return { modelName, alias };
}
