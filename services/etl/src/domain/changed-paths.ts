import { formatPath } from '@kuroshio/contracts';

/** Paths (as `formatPath` writes them) where `after` differs from `before` — the tokenised values. */
export function changedPaths(before: unknown, after: unknown, prefix: readonly (string | number)[] = []): string[] {
  if (before === after) return [];
  const bothObjects = typeof before === 'object' && before !== null && typeof after === 'object' && after !== null;
  if (!bothObjects || Array.isArray(before) !== Array.isArray(after)) return [formatPath(prefix)];
  const paths: string[] = [];
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length);
    for (let index = 0; index < length; index++) paths.push(...changedPaths(before[index], after[index], [...prefix, index]));
    return paths;
  }
  const left = before as Record<string, unknown>;
  const right = after as Record<string, unknown>;
  for (const key of new Set([...Object.keys(left), ...Object.keys(right)])) paths.push(...changedPaths(left[key], right[key], [...prefix, key]));
  return paths;
}

/** Leaves that changed from one string to another: what an in-place text replacement can reproduce. */
export function changedStrings(before: unknown, after: unknown): { replaceable: Array<[string, string]>; other: boolean } {
  const replaceable: Array<[string, string]> = [];
  let other = false;
  const walk = (left: unknown, right: unknown): void => {
    if (left === right) return;
    if (typeof left === 'string' && typeof right === 'string') {
      replaceable.push([left, right]);
      return;
    }
    const bothObjects = typeof left === 'object' && left !== null && typeof right === 'object' && right !== null;
    if (!bothObjects) {
      other = true;
      return;
    }
    const l = left as Record<string, unknown>;
    const r = right as Record<string, unknown>;
    for (const key of new Set([...Object.keys(l), ...Object.keys(r)])) walk(l[key], r[key]);
  };
  walk(before, after);
  return { replaceable, other };
}
