import type { ExperimentResults } from '../analysis/results-model.js';
import type { ExperimentEntry } from '../domain/experiment-state.js';

// The JSON the HTTP API and the dashboard read: the domain records with ISO instants; numbers JSON
// cannot hold (an infinite t statistic, a z-test's degrees of freedom) become null.

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function finite(value: unknown): Json {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map(finite);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, finite(v)]));
  return value as Json;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function experimentJson(entry: ExperimentEntry): Json {
  return finite({
    ...entry.spec,
    state: entry.state,
    createTime: iso(entry.createdAtMs),
    startTime: iso(entry.startedAtMs),
    stopTime: iso(entry.stoppedAtMs),
    createdBy: entry.createdBy,
    stopReason: entry.stopReason,
    revision: entry.revision,
  });
}

export function resultsJson(results: ExperimentResults): Json {
  const { computedAtMs, windowStartMs, windowEndMs, metrics, ...rest } = results;
  return finite({
    ...rest,
    computedAt: iso(computedAtMs),
    window: { start: iso(windowStartMs), end: iso(windowEndMs) },
    metrics: metrics.map((metric) => ({
      ...metric,
      comparisons: metric.comparisons.map(({ cumulative, ...comparison }) => ({
        ...comparison,
        cumulative: cumulative.map(({ timeMs, ...point }) => ({ time: iso(timeMs), ...point })),
      })),
    })),
  });
}
