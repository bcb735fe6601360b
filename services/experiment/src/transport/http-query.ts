import { CORRECTIONS, type Correction } from '../analysis/multiple-testing.js';
import type { ResultsRequest } from '../analysis/experiment-analysis.js';
import { IN_PROGRESS_CONVERSIONS, type InProgressConversions } from '../analysis/sufficient-statistics-sql.js';
import { EXPERIMENT_STATES, type ExperimentState } from '../domain/experiment-definition.js';
import { invalidArgument } from '../domain/experiment-errors.js';

// Query strings of the HTTP API: each parameter at most once, each parsed strictly.

export type Query = Readonly<Record<string, unknown>>;

function single(query: Query, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidArgument(`query parameter ${name} must be given once`, 'invalid_query', { field: name });
  if (value.length > 200) throw invalidArgument(`query parameter ${name} is too long`, 'invalid_query', { field: name });
  return value;
}

function number(query: Query, name: string): number | null {
  const text = single(query, name);
  if (text === undefined || text === '') return null;
  const value = Number(text);
  if (!Number.isFinite(value)) throw invalidArgument(`${name} must be a finite number, got ${JSON.stringify(text.slice(0, 40))}`, 'invalid_query', { field: name });
  return value;
}

function flag(query: Query, name: string): boolean {
  const text = single(query, name);
  if (text === undefined || text === '' || text === 'false' || text === '0') return false;
  if (text === 'true' || text === '1') return true;
  throw invalidArgument(`${name} must be true or false`, 'invalid_query', { field: name });
}

function instant(query: Query, name: string): number | null {
  const text = single(query, name);
  if (text === undefined || text === '') return null;
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) throw invalidArgument(`${name} must be an ISO-8601 instant or epoch milliseconds`, 'invalid_query', { field: name });
  return ms;
}

export function resultsRequestOf(key: string, query: Query): ResultsRequest {
  const correction = single(query, 'correction');
  if (correction !== undefined && !(CORRECTIONS as readonly string[]).includes(correction)) {
    throw invalidArgument(`correction must be one of ${CORRECTIONS.join(', ')}`, 'invalid_query', { field: 'correction' });
  }
  const inProgress = single(query, 'inProgressConversions');
  if (inProgress !== undefined && inProgress !== '' && !(IN_PROGRESS_CONVERSIONS as readonly string[]).includes(inProgress)) {
    throw invalidArgument(`inProgressConversions must be one of ${IN_PROGRESS_CONVERSIONS.join(', ')}`, 'invalid_query', { field: 'inProgressConversions' });
  }
  return {
    experimentKey: key,
    asOfMs: instant(query, 'asOf'),
    alpha: number(query, 'alpha'),
    correction: (correction as Correction | undefined) ?? null,
    disableCuped: flag(query, 'disableCuped'),
    includeCumulative: flag(query, 'cumulative'),
    inProgressConversions: inProgress === undefined || inProgress === '' ? null : (inProgress as InProgressConversions),
  };
}

export function listRequestOf(query: Query): { states: ExperimentState[]; pageSize: number; pageToken: string } {
  const state = single(query, 'state');
  const states = state === undefined || state === '' ? [] : state.split(',');
  for (const s of states) if (!(EXPERIMENT_STATES as readonly string[]).includes(s)) throw invalidArgument(`state must be draft, running or stopped`, 'invalid_query', { field: 'state' });
  const pageSize = number(query, 'pageSize') ?? 0;
  return { states: states as ExperimentState[], pageSize, pageToken: single(query, 'pageToken') ?? '' };
}
