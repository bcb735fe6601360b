import { filterSql, filtersSql, sourceEventsSql, Sql, sql, type ClickHouseClient, type PropertyFilterOperator, type PropertyFilterSpec, type PropertyScalar } from '@kuroshio/clickhouse';
import type { grpcNest } from '@kuroshio/contracts';
import type { LabelledRows, RecentTraffic } from '../retraining-ports.js';

/**
 * What the warehouse knows for the triggers: the predictions a version served (ClickHouse
 * `predictions`, landed from the serving topic) and the anchor events of a label (`events`).
 * Samples are ordered by a hash of the id, so the same data gives the same sample.
 */
export class ClickHouseRetrainingSources implements RecentTraffic, LabelledRows {
  constructor(private readonly clickhouse: Pick<ClickHouseClient, 'query'>) {}

  async servedEntities(modelName: string, version: number, sinceMs: number, limit: number): Promise<string[]> {
    const rows = await this.clickhouse.query<{ entity_id: string }>(sql`
      SELECT entity_id FROM predictions
      WHERE model_name = ${modelName} AND model_version = ${version} AND entity_id != ''
        AND served_at >= ${new Date(sinceMs - 1_000)} AND served_at_ms >= ${sinceMs}
      GROUP BY entity_id
      ORDER BY cityHash64(entity_id), entity_id
      LIMIT ${limit}`);
    return rows.map((row) => row.entity_id);
  }

  async servedScores(modelName: string, version: number, sinceMs: number, limit: number): Promise<number[]> {
    // FINAL: a replay of the serving topic must not count a prediction twice.
    const rows = await this.clickhouse.query<{ score: number }>(sql`
      SELECT score FROM predictions FINAL
      WHERE model_name = ${modelName} AND model_version = ${version}
        AND served_at >= ${new Date(sinceMs - 1_000)} AND served_at_ms >= ${sinceMs}
      ORDER BY cityHash64(request_id), request_id
      LIMIT ${limit}`);
    return rows.map((row) => Number(row.score));
  }

  async countAnchors(label: grpcNest.features.v1.EventLabel, afterMs: number, untilMs: number): Promise<number> {
    const rows = await this.clickhouse.query<{ n: string | number }>(sql`
      SELECT count() AS n FROM events FINAL
      WHERE event_time >= ${new Date(afterMs - 1_000)} AND event_time_ms > ${afterMs} AND event_time_ms <= ${untilMs}
        AND ${sourceEventsSql([label.anchorEvent])}
        AND ${filtersSql(label.anchorFilters.map(filterSpec))}`);
    return Number(rows[0]?.n ?? 0);
  }
}

/** A proto property filter as the SQL builders take it (FILTER_OPERATOR_GREATER_THAN → greater_than). */
export function filterSpec(filter: grpcNest.common.v1.PropertyFilter): PropertyFilterSpec {
  const operator = String(filter.operator).replace(/^FILTER_OPERATOR_/, '').toLowerCase() as PropertyFilterOperator;
  const spec = { path: filter.path, operator, values: filter.values.map(scalar).filter((v): v is PropertyScalar => v !== null) };
  // The shared builder knows every operator; anything else (UNSPECIFIED) gives it nothing to build.
  if (!(filterSql(spec) instanceof Sql)) throw new Error(`anchor filter on ${filter.path} has no usable operator (${String(filter.operator)})`);
  return spec;
}

function scalar(value: grpcNest.common.v1.ScalarValue): PropertyScalar | null {
  for (const candidate of [value.stringValue, value.doubleValue, value.int64Value, value.boolValue]) {
    if (candidate !== null && candidate !== undefined) return candidate;
  }
  return null;
}
