import { sql, type ClickHouseClient } from '@kuroshio/clickhouse';
import { analystViewSql } from '../analysis/analyst-view-sql.js';
import type { StatisticsSource } from '../analysis/experiment-analysis.js';
import { settledMonths, stillSettled, type EventsPart, type SettledMonths } from '../analysis/settled-event-months.js';
import { eventsLowerBoundMs, firstExposuresKeptBound, sufficientStatisticsSql, type StatisticsQuery, type StatisticsShape } from '../analysis/sufficient-statistics-sql.js';
import type { StatisticsRow } from '../analysis/variant-sums.js';
import type { ExperimentSpec } from '../domain/experiment-definition.js';
import type { AnalystViews } from '../domain/experiment-ports.js';

type Client = Pick<ClickHouseClient, 'query' | 'command' | 'database'>;

// UInt64 arrives as a string, Float64 as a number (or "nan"/"inf" text on some servers).
const numeric = (value: unknown): number => {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) throw new Error(`ClickHouse returned a non-finite sum (${String(value)})`);
  return n;
};

/** The statistics query's result rows (JSONEachRow) as the analysis reads them. */
export function statisticsRows(query: StatisticsQuery, rows: readonly Record<string, unknown>[]): StatisticsRow[] {
  return rows.map((row) => ({
    // Position in query.variants, from 1; 0 is a variant the definition does not have.
    variant: query.variants[numeric(row['variant']) - 1] ?? '',
    day: numeric(row['day']),
    units: numeric(row['n']),
    multipleVariantUnits: numeric(row['mv']),
    metrics: query.metrics.map((_metric, i) => ({
      units: numeric(row[`n${i}`]),
      sum: numeric(row[`s${i}`]),
      sumOfSquares: numeric(row[`q${i}`]),
      sumX: numeric(row[`x${i}s`]),
      sumOfSquaresX: numeric(row[`xx${i}`]),
      sumOfProducts: numeric(row[`xy${i}`]),
    })),
  }));
}

/**
 * The query shape for a server version (`SELECT version()`): 'join' from ClickHouse 24 on, whose
 * hash join and aggregation run in parallel, 'union' before (18.16 joins in one thread). Measured on
 * 18.16 and 26.9 only (decision 0020); both shapes give the same rows on every server.
 */
export function statisticsShapeFor(version: string): StatisticsShape {
  const major = Number(/^(\d+)\./.exec(version)?.[1]);
  return major >= 24 ? 'join' : 'union';
}

/** The analysis's ClickHouse side: the sufficient-statistics query and the analyst views. */
export class ClickHouseAnalysis implements StatisticsSource, AnalystViews {
  #shape: Promise<StatisticsShape> | undefined;

  /** `shape`: the query shape to use; by default chosen from the server's version on first use. */
  constructor(
    private readonly client: Client,
    shape?: StatisticsShape,
  ) {
    this.#shape = shape === undefined ? undefined : Promise.resolve(shape);
  }

  /**
   * Reads the months of `events` that hold no replayed duplicate without FINAL, and no event before
   * the query's lower bound (`eventsLowerBoundMs`). Both shortcuts are checked afterwards: whether
   * the read saw exactly the parts that made the months settled (parts never come back, so the same
   * part before and after means the read held it), and whether any unit was first exposed before
   * the bound (the rows' days). If an insert or merge touched a settled month in between, or the
   * bound did not hold, the query runs again with FINAL everywhere and every event, as before.
   */
  async statistics(query: StatisticsQuery): Promise<StatisticsRow[]> {
    const shape = await this.shape();
    const settled = await this.settledEventMonths();
    const fromMs = eventsLowerBoundMs(query);
    const rows = await this.client.query<Record<string, unknown>>(sufficientStatisticsSql(query, { settledMonths: [...settled.keys()], fromMs }, shape));
    const partsHeld = settled.size === 0 || stillSettled(settled, await this.settledEventMonths());
    const boundHeld = firstExposuresKeptBound(query, rows.map((row) => numeric(row['day'])));
    const checked = partsHeld && boundHeld ? rows : await this.client.query<Record<string, unknown>>(sufficientStatisticsSql(query, { settledMonths: [] }, shape));
    return statisticsRows(query, checked);
  }

  private shape(): Promise<StatisticsShape> {
    if (this.#shape === undefined) {
      const asked = this.client.query<{ version: string }>(sql`SELECT version() AS version`).then(([row]) => statisticsShapeFor(row?.version ?? ''));
      // A failed look-up is asked again next time rather than cached.
      asked.catch(() => {
        if (this.#shape === asked) this.#shape = undefined;
      });
      this.#shape = asked;
    }
    return this.#shape;
  }

  async ensure(spec: ExperimentSpec): Promise<void> {
    await this.client.command(analystViewSql(this.client.database, spec));
  }

  private async settledEventMonths(): Promise<SettledMonths> {
    const parts = await this.client.query<{ partition: string; name: string; level: number | string }>(sql`
      SELECT partition, name, level FROM system.parts
      WHERE database = ${this.client.database} AND table = 'events' AND active`);
    return settledMonths(parts.map((part): EventsPart => ({ partition: part.partition, name: part.name, level: Number(part.level) })));
  }
}
