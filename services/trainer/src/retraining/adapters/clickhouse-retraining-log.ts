import { dateTimeText, type ClickHouseClient } from '@kuroshio/clickhouse';
import type { RetrainingLog, RetrainingLogEntry } from '../retraining-ports.js';

/** Appends to `retraining_log` (migration 0012) through JSONEachRow, so no value is ever spliced into SQL. */
export class ClickHouseRetrainingLog implements RetrainingLog {
  constructor(private readonly clickhouse: Pick<ClickHouseClient, 'insert'>) {}

  async append(entry: RetrainingLogEntry): Promise<void> {
    await this.clickhouse.insert('retraining_log', [
      {
        event_id: entry.eventId,
        run_id: entry.runId,
        step_number: entry.stepNumber,
        time: dateTimeText(new Date(entry.timeMs)),
        time_ms: entry.timeMs,
        actor: entry.actor,
        model_name: entry.modelName,
        step: entry.step,
        champion_version: entry.championVersion,
        challenger_version: entry.challengerVersion,
        training_job_id: entry.trainingJobId,
        experiment_key: entry.experimentKey,
        decision: entry.decision,
        reason: entry.reason,
        details: JSON.stringify(entry.details, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value)),
      },
    ]);
  }
}
