import { readFileSync } from 'node:fs';
import { formatPath } from '@kuroshio/contracts';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { sourceFromEntry, sourceListSchema, type Source } from './source-definition.js';

export type SourcesResult = { ok: true; sources: Source[] } | { ok: false; problems: string[] };

/**
 * Parses the source list from its text (JSON, or YAML — JSON is YAML too, so a file with either
 * works). Problems come back as lines naming the entry, e.g. `[1].writeKeySha256: ...`, and never
 * quote a value, since an entry may hold a LINE channel secret.
 */
export function parseSources(text: string, env: Readonly<Record<string, string | undefined>>): SourcesResult {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    return { ok: false, problems: [`not valid JSON or YAML (${(error as Error).name})`] };
  }
  const parsed = sourceListSchema.safeParse(document ?? []);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map(describe) };
  const problems: string[] = [];
  parsed.data.forEach((entry, index) => {
    if (entry.lineChannelSecretEnv !== undefined && (env[entry.lineChannelSecretEnv] ?? '') === '') {
      problems.push(`[${index}].lineChannelSecretEnv: environment variable ${entry.lineChannelSecretEnv} is not set`);
    }
  });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, sources: parsed.data.map((entry) => sourceFromEntry(entry, env)) };
}

/** Reads the sources file named by COLLECTOR_SOURCES_FILE. */
export function readSourcesFile(path: string, env: Readonly<Record<string, string | undefined>>): SourcesResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { ok: false, problems: [`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`] };
  }
  return parseSources(text, env);
}

function describe(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path.map((segment) => (typeof segment === 'number' ? segment : String(segment))));
  const at = where.startsWith('[') || where === '' ? where : `.${where}`;
  return `${at === '' ? '(list)' : at}: ${issue.message}`;
}
