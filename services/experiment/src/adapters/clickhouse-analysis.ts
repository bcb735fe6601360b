import type { ClickHouseClient } from '@kuroshio/clickhouse';
import { analystViewSql } from '../analysis/analyst-view-sql.js';
import type { StatisticsSource } from '../analysis/experiment-analysis.js';
import { sufficientStatisticsSql, type StatisticsQuery } from '../analysis/sufficient-statistics-sql.js';
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

/** The analysis's ClickHouse side: the sufficient-statistics query and the analyst views. */
export class ClickHouseAnalysis implements StatisticsSource, AnalystViews {
  constructor(private readonly client: Client) {}

  async statistics(query: StatisticsQuery): Promise<StatisticsRow[]> {
    const rows = await this.client.query<Record<string, unknown>>(sufficientStatisticsSql(query));
    return rows.map((row) => ({
      // Position in query.variants, from 1; 0 is a variant the definition does not have.
      variant: query.variants[numeric(row['variant']) - 1] ?? '',
      day: numeric(row['day']),
      units: numeric(row['n']),
      metrics: query.metrics.map((_metric, i) => ({
        sum: numeric(row[`s${i}`]),
        sumOfSquares: numeric(row[`q${i}`]),
        sumX: numeric(row[`x${i}s`]),
        sumOfSquaresX: numeric(row[`xx${i}`]),
        sumOfProducts: numeric(row[`xy${i}`]),
      })),
    }));
  }

  async ensure(spec: ExperimentSpec): Promise<void> {
    await this.client.command(analystViewSql(this.client.database, spec));
  }
}
