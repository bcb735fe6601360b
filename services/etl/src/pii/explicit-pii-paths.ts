/**
 * Fields a schema marks as PII, as dot paths ("traits.phone", "properties.card.number"). A "*"
 * segment matches any object key or array index. Paths are compiled once; the JSON walk then
 * carries cursors down the tree instead of building a path string for every node.
 */
export interface CompiledPiiPaths {
  readonly paths: readonly (readonly string[])[];
}

export interface PathCursor {
  readonly segments: readonly string[];
  readonly depth: number;
}

export function compilePiiPaths(paths: readonly string[]): CompiledPiiPaths {
  return {
    paths: paths.map((path) => {
      const segments = path.split('.');
      if (segments.some((segment) => segment.length === 0)) {
        throw new RangeError(`PII path ${JSON.stringify(path)} has an empty segment`);
      }
      return segments;
    }),
  };
}

export function rootCursors(compiled: CompiledPiiPaths): readonly PathCursor[] | undefined {
  return compiled.paths.length === 0 ? undefined : compiled.paths.map((segments) => ({ segments, depth: 0 }));
}

/** Cursors that still match after stepping into `key`; undefined when none do. */
export function advanceCursors(cursors: readonly PathCursor[], key: string): readonly PathCursor[] | undefined {
  let next: PathCursor[] | undefined;
  for (const { segments, depth } of cursors) {
    const segment = segments[depth];
    if (segment === '*' || segment === key) (next ??= []).push({ segments, depth: depth + 1 });
  }
  return next;
}

/** True when one of the cursors has matched its whole path: the value here is PII. */
export function completesPath(cursors: readonly PathCursor[]): boolean {
  return cursors.some(({ segments, depth }) => depth === segments.length);
}
