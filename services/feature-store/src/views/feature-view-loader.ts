import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import type { FeatureView } from './feature-view.js';
import { featureViewDocumentSchema, featureViewFromDocument } from './feature-view-schema.js';

/** Thrown at start-up with every problem of every file, so one edit fixes them all. */
export class FeatureViewLoadError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid feature views (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'FeatureViewLoadError';
  }
}

export interface FeatureViewSource {
  /** Shown in problems, e.g. `billing.yaml`. */
  readonly file: string;
  readonly text: string;
}

function issuePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out === '' ? String(key) : `${out}.${String(key)}`), '');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  // zod's own wording for a missing key reads "expected string, received undefined".
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) return 'missing';
  if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys.length === 1 ? '' : 's'} ${issue.keys.join(', ')}`;
  return issue.message;
}

/**
 * Parses feature-view YAML: each file holds one or more documents (`---`), each document one version
 * of one view. Returns the views, or throws FeatureViewLoadError listing every problem found.
 */
export function parseFeatureViews(sources: readonly FeatureViewSource[]): FeatureView[] {
  const problems: string[] = [];
  const views: Array<{ view: FeatureView; where: string }> = [];
  for (const source of sources) {
    const documents = parseAllDocuments(source.text, { prettyErrors: true, uniqueKeys: true });
    const list = Array.isArray(documents) ? documents : [];
    if (!Array.isArray(documents)) problems.push(`${source.file}: not a YAML document stream`);
    list.forEach((document, index) => {
      const where = list.length === 1 ? source.file : `${source.file} (document ${index + 1})`;
      if (document.errors.length > 0) {
        for (const error of document.errors) problems.push(`${where}: ${error.message.split('\n')[0]}`);
        return;
      }
      const parsed = featureViewDocumentSchema.safeParse(document.toJS());
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          const path = issuePath(issue.path);
          problems.push(`${where}: ${path === '' ? '(document)' : path}: ${describeIssue(issue)}`);
        }
        return;
      }
      views.push({ view: featureViewFromDocument(parsed.data), where });
    });
  }
  const seen = new Map<string, string>();
  const entities = new Map<string, { entity: string; where: string }>();
  for (const { view, where } of views) {
    const key = `${view.name}@${view.version}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) problems.push(`${where}: ${view.name} version ${view.version} is also declared in ${earlier}`);
    seen.set(key, where);
    const first = entities.get(view.name);
    if (first === undefined) entities.set(view.name, { entity: view.entity, where });
    else if (first.entity !== view.entity) problems.push(`${where}: ${view.name} is about ${view.entity} here but about ${first.entity} in ${first.where}`);
  }
  if (problems.length > 0) throw new FeatureViewLoadError(problems);
  return views.map(({ view }) => view);
}

/** Reads every `*.yaml` / `*.yml` file of a directory (not recursive) and parses them together. */
export async function loadFeatureViews(directory: string): Promise<FeatureView[]> {
  let files: string[];
  try {
    files = (await readdir(directory)).filter((file) => /\.ya?ml$/.test(file)).sort();
  } catch (error) {
    throw new FeatureViewLoadError([`${directory}: cannot read the feature-view directory (${(error as Error).message})`]);
  }
  if (files.length === 0) throw new FeatureViewLoadError([`${directory}: no *.yaml feature views`]);
  const sources = await Promise.all(files.map(async (file) => ({ file, text: await readFile(join(directory, file), 'utf8') })));
  return parseFeatureViews(sources);
}
