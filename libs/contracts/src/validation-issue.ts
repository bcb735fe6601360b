import type { z } from 'zod';

/** One problem found in a value, located by its path (e.g. `properties.items[2].sku`). */
export interface ValidationIssue {
  /** Path to the offending value; empty for the value as a whole. */
  path: string;
  /** Machine-readable kind: `required`, `forbidden_key`, `too_deep`, `too_long`, or a zod issue code. */
  code: string;
  message: string;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Renders a path the way a reader would write it in JavaScript: `a.b[0]["odd key"]`. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') {
      out += `[${segment}]`;
    } else {
      const key = String(segment);
      if (IDENTIFIER.test(key)) {
        out += out === '' ? key : `.${key}`;
      } else {
        out += `[${JSON.stringify(key)}]`;
      }
    }
  }
  return out;
}

/** One line for logs, dead letters and API replies: `event: required for track; userId: ...`. */
export function describeIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((issue) => `${issue.path === '' ? '(root)' : issue.path}: ${issue.message}`).join('; ');
}

/** The reason code a custom issue carries in `params.reason` (see `customIssue`). */
interface ReasonParams {
  reason?: string;
}

/** A zod issue reduced to what we report, with its path still in segments. */
export interface LocatedIssue {
  pathSegments: PropertyKey[];
  code: string;
  message: string;
}

export function fromZodIssues(issues: readonly z.core.$ZodIssue[]): LocatedIssue[] {
  return issues.map((issue) => {
    const pathSegments = issue.path;
    // Parsed with reportInput, only a missing field yields a type or enum issue without an input.
    if ((issue.code === 'invalid_type' || issue.code === 'invalid_value') && issue.input === undefined) {
      return { pathSegments, code: 'required', message: 'required' };
    }
    const reason = issue.code === 'custom' ? (issue.params as ReasonParams | undefined)?.reason : undefined;
    return { pathSegments, code: reason ?? issue.code, message: issue.message };
  });
}

/** Parses with zod and reports problems as ValidationIssues. */
export function parseWithIssues<T>(schema: z.ZodType<T>, input: unknown): ValidationResult<T> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) {
    return { ok: true, value: result.data };
  }
  const issues = fromZodIssues(result.error.issues).map(({ pathSegments, code, message }) => ({
    path: formatPath(pathSegments),
    code,
    message,
  }));
  return { ok: false, issues };
}
