import { DEFAULT_SRM_THRESHOLD } from '@kuroshio/stats';
import type { ExperimentCatalog } from '../domain/experiment-catalog.js';
import { invalidArgument, warehouseUnavailable } from '../domain/experiment-errors.js';
import { checkExperimentKey } from '../domain/experiment-input.js';
import { computeResults } from './experiment-results.js';
import { CORRECTIONS, type Correction } from './multiple-testing.js';
import type { ExperimentResults } from './results-model.js';
import { DAY_MS, type InProgressConversions, type StatisticsQuery } from './sufficient-statistics-sql.js';
import type { StatisticsRow } from './variant-sums.js';

/** Runs the sufficient-statistics query (ClickHouse in production). */
export interface StatisticsSource {
  statistics(query: StatisticsQuery): Promise<StatisticsRow[]>;
}

export interface ResultsRequest {
  readonly experimentKey: string;
  /** null: now. */
  readonly asOfMs: number | null;
  /** null: 0.05. */
  readonly alpha: number | null;
  /** null: holm. */
  readonly correction: Correction | null;
  readonly disableCuped: boolean;
  readonly includeCumulative: boolean;
  /**
   * Units still inside a windowed metric's window: absent or null: 'include', so a running
   * experiment (and the trainer's promotion rule) sees its units from the first day; 'exclude' gives
   * the rates as defined over the units whose window has closed (decision 0020).
   */
  readonly inProgressConversions?: InProgressConversions | null;
}

const LATEST_INSTANT_MS = Date.UTC(9999, 11, 31);
// Exposures come after the experiment's creation, but inference stamps them with its own clock:
// the events bound assumes none is more than a day earlier (the adapter checks, and reads every
// event if one is).
const EXPOSURE_CLOCK_MARGIN_MS = DAY_MS;
export const DEFAULT_ALPHA = 0.05;

export interface ExperimentAnalysisDeps {
  readonly catalog: ExperimentCatalog;
  readonly source: StatisticsSource;
  readonly clock?: () => number;
  readonly srmThreshold?: number;
}

/** GetResults: checks the request, aggregates in ClickHouse, computes with @kuroshio/stats. */
export class ExperimentAnalysis {
  readonly #clock: () => number;

  constructor(private readonly deps: ExperimentAnalysisDeps) {
    this.#clock = deps.clock ?? Date.now;
  }

  async results(request: ResultsRequest): Promise<ExperimentResults> {
    const key = checkExperimentKey(request.experimentKey, 'experiment_key');
    const alpha = request.alpha ?? DEFAULT_ALPHA;
    if (!(Number.isFinite(alpha) && alpha > 0 && alpha <= 0.5)) throw invalidArgument(`alpha must be in (0, 0.5], got ${alpha}`, 'invalid_alpha', { field: 'alpha' });
    const correction = request.correction ?? 'holm';
    if (!CORRECTIONS.includes(correction)) throw invalidArgument(`unknown correction ${String(correction)}`, 'invalid_correction', { field: 'correction' });
    const requestedAsOf = request.asOfMs;
    if (requestedAsOf !== null && !(Number.isFinite(requestedAsOf) && requestedAsOf >= 0 && requestedAsOf <= LATEST_INSTANT_MS)) throw invalidArgument('as_of must be an instant between 1970 and 9999', 'invalid_as_of', { field: 'as_of' });
    const entry = this.deps.catalog.get(key);
    const now = this.#clock();
    // A stopped experiment is analysed as of its stop: later exposures and events are not its own.
    const asOfMs = requestedAsOf ?? entry.stoppedAtMs ?? now;
    const inProgressConversions = request.inProgressConversions ?? 'include';
    let rows: StatisticsRow[];
    try {
      rows = await this.deps.source.statistics({
        experimentKey: key,
        asOfMs: Math.floor(asOfMs),
        variants: entry.spec.variants.map((v) => v.key),
        metrics: entry.spec.metrics,
        exposuresFromMs: Math.max(0, entry.createdAtMs - EXPOSURE_CLOCK_MARGIN_MS),
        inProgressConversions,
      });
    } catch (error) {
      throw warehouseUnavailable('computing the sufficient statistics', error);
    }
    return computeResults(entry.spec, rows, {
      inProgressConversions,
      alpha,
      correction,
      disableCuped: request.disableCuped,
      includeCumulative: request.includeCumulative,
      srmThreshold: this.deps.srmThreshold ?? DEFAULT_SRM_THRESHOLD,
      asOfMs,
      computedAtMs: now,
      windowStartMs: entry.createdAtMs,
    });
  }
}
