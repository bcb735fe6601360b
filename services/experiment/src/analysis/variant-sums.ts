import { covariateMomentsFromSums, momentsFromSums, type CovariateMoments, type Moments } from '@kuroshio/stats';

/** The sums ClickHouse returns for one metric in one (variant, day) group; see sufficient-statistics-sql.ts. */
export interface MetricSums {
  /** Units the metric counts: those whose window has closed, unless in-progress units are included. */
  readonly units: number;
  /** Σy */
  readonly sum: number;
  /** Σy² */
  readonly sumOfSquares: number;
  /** Σx (CUPED covariate) */
  readonly sumX: number;
  readonly sumOfSquaresX: number;
  /** Σxy */
  readonly sumOfProducts: number;
}

/** One row of the statistics query. */
export interface StatisticsRow {
  readonly variant: string;
  /** Days since the epoch of the units' first exposure. */
  readonly day: number;
  /** Every unit first exposed before the analysis instant (the SRM count). */
  readonly units: number;
  /** Of those, the units exposed under more than one variant. */
  readonly multipleVariantUnits: number;
  /** In the experiment's metric order. */
  readonly metrics: readonly MetricSums[];
}

/** Units (all, for the SRM) and per-metric units and sums of one variant, added up over any set of rows. */
export interface VariantTotals {
  units: number;
  readonly metrics: MetricSums[];
}

export function emptyTotals(metricCount: number): VariantTotals {
  return { units: 0, metrics: Array.from({ length: metricCount }, () => ({ units: 0, sum: 0, sumOfSquares: 0, sumX: 0, sumOfSquaresX: 0, sumOfProducts: 0 })) };
}

export function addRow(totals: VariantTotals, row: StatisticsRow): void {
  totals.units += row.units;
  row.metrics.forEach((sums, i) => {
    const into = totals.metrics[i];
    if (into === undefined) return;
    totals.metrics[i] = {
      units: into.units + sums.units,
      sum: into.sum + sums.sum,
      sumOfSquares: into.sumOfSquares + sums.sumOfSquares,
      sumX: into.sumX + sums.sumX,
      sumOfSquaresX: into.sumOfSquaresX + sums.sumOfSquaresX,
      sumOfProducts: into.sumOfProducts + sums.sumOfProducts,
    };
  });
}

/** Moments of the metric (libs/stats from sufficient statistics). */
export function metricMoments(totals: VariantTotals, metric: number): Moments {
  const sums = totals.metrics[metric];
  return momentsFromSums({ n: sums?.units ?? 0, sum: sums?.sum ?? 0, sumOfSquares: sums?.sumOfSquares ?? 0 });
}

/** Joint moments of the metric and its pre-exposure covariate. */
export function covariateMoments(totals: VariantTotals, metric: number): CovariateMoments {
  const sums = totals.metrics[metric];
  return covariateMomentsFromSums({
    n: sums?.units ?? 0,
    sumY: sums?.sum ?? 0,
    sumOfSquaresY: sums?.sumOfSquares ?? 0,
    sumX: sums?.sumX ?? 0,
    sumOfSquaresX: sums?.sumOfSquaresX ?? 0,
    sumOfProducts: sums?.sumOfProducts ?? 0,
  });
}
