import { formatPath } from '@kuroshio/contracts';

export interface TreeChanges {
  /** Paths (as `formatPath` writes them) where `after` differs from `before` — the tokenised values. */
  readonly paths: string[];
  /** Leaves that changed from one string to another: what an in-place text replacement can reproduce. */
  readonly replaceable: Array<[string, string]>;
  /** Some other value changed (a number or a container replaced by a token, a key tokenised). */
  readonly other: boolean;
}

/**
 * Compares a tree with its scrubbed copy in one walk (it runs for every accepted event, so the path
 * is one shared stack and is only formatted where something changed).
 */
export function treeChanges(before: unknown, after: unknown): TreeChanges {
  const changes = { paths: [] as string[], replaceable: [] as Array<[string, string]>, other: false };
  const path: Array<string | number> = [];
  const walk = (left: unknown, right: unknown): void => {
    if (left === right) return;
    const bothObjects = typeof left === 'object' && left !== null && typeof right === 'object' && right !== null;
    if (!bothObjects || Array.isArray(left) !== Array.isArray(right)) {
      changes.paths.push(formatPath(path));
      if (typeof left === 'string' && typeof right === 'string') changes.replaceable.push([left, right]);
      else changes.other = true;
      return;
    }
    if (Array.isArray(left) && Array.isArray(right)) {
      const length = Math.max(left.length, right.length);
      for (let index = 0; index < length; index++) {
        path.push(index);
        walk(left[index], right[index]);
        path.pop();
      }
      return;
    }
    const l = left as Record<string, unknown>;
    const r = right as Record<string, unknown>;
    // The scrubbed copy keeps the members in their order; a key may itself have been tokenised, and
    // paths are written with the scrubbed key, so that no path republishes PII.
    const keys = Object.keys(l);
    const scrubbedKeys = Object.keys(r);
    if (keys.length !== scrubbedKeys.length) {
      changes.paths.push(formatPath(path));
      changes.other = true;
      return;
    }
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const scrubbedKey = scrubbedKeys[i] as string;
      path.push(scrubbedKey);
      if (key === scrubbedKey) {
        walk(l[key], r[key]);
      } else {
        changes.paths.push(formatPath(path));
        changes.other = true;
        if (typeof r[scrubbedKey] === 'object') walk(l[key], r[scrubbedKey]);
      }
      path.pop();
    }
  };
  walk(before, after);
  return changes;
}
