import { describe, expect, it } from 'vitest';
import { ExperimentCatalog } from '../domain/experiment-catalog.js';
import { definitionInput, InMemoryChangeLog, RecordingExposures, RecordingViews } from '../testing/in-memory-ports.js';
import { ExperimentAnalysis, type ResultsRequest } from './experiment-analysis.js';
import type { StatisticsQuery } from './sufficient-statistics-sql.js';

const caller = { actor: 'analyst@bank.example', reason: '' };
const CREATED = Date.UTC(2026, 10, 1);
const NOW = CREATED + 90 * 86_400_000;

/** A catalog whose changes happen a minute apart from CREATED, and an analysis recording its queries. */
async function analysisOnMemory() {
  let n = 0;
  const catalog = new ExperimentCatalog({ log: new InMemoryChangeLog(), views: new RecordingViews(), exposures: new RecordingExposures(), clock: () => CREATED + n * 60_000, newEventId: () => `e${++n}`, newSalt: () => 'salt' });
  await catalog.rebuild();
  const queries: StatisticsQuery[] = [];
  const analysis = new ExperimentAnalysis({ catalog, source: { statistics: async (query) => (queries.push(query), []) }, clock: () => NOW });
  return { catalog, analysis, queries };
}

const request = (patch: Partial<ResultsRequest> = {}): ResultsRequest => ({ experimentKey: 'checkout-test', asOfMs: null, alpha: null, correction: null, disableCuped: false, includeCumulative: false, ...patch });

describe('ExperimentAnalysis', () => {
  it('analyses a running experiment as of now and a stopped one as of its stop, unless asked for another instant', async () => {
    const { catalog, analysis, queries } = await analysisOnMemory();
    await catalog.create(caller, definitionInput());
    await catalog.start(caller, 'checkout-test');
    expect((await analysis.results(request())).windowEndMs).toBe(NOW);
    const stopped = await catalog.stop({ ...caller, reason: 'done' }, 'checkout-test');
    expect(stopped.stoppedAtMs).toBeLessThan(NOW);
    expect((await analysis.results(request())).windowEndMs).toBe(stopped.stoppedAtMs);
    expect((await analysis.results(request({ asOfMs: NOW + 5 }))).windowEndMs).toBe(NOW + 5);
    expect(queries.map((q) => q.asOfMs)).toEqual([NOW, stopped.stoppedAtMs, NOW + 5]);
  });

  it('counts units inside a metric window by default (a running experiment sees them) and leaves them out on request', async () => {
    const { catalog, analysis, queries } = await analysisOnMemory();
    await catalog.create(caller, definitionInput());
    await analysis.results(request());
    await analysis.results(request({ inProgressConversions: 'exclude' }));
    await analysis.results(request({ inProgressConversions: 'include' }));
    expect(queries.map((q) => q.inProgressConversions)).toEqual(['include', 'exclude', 'include']);
  });
});
