import type { ClickHouseClient } from '@kuroshio/clickhouse';
import { TOPICS, type ExposureValue } from '@kuroshio/contracts';
import type { KafkaClient } from '@kuroshio/kafka';
import type { StructuredLogger } from '@kuroshio/telemetry';
import { TopicWarehouseSink } from '@kuroshio/warehouse-sink';

/** The `exposures` row (migration 0009) of one exposure; deterministic, so a replay folds. */
export function exposureRow(value: ExposureValue): Record<string, unknown> {
  const ms = Date.parse(value.exposedAt);
  return {
    experiment_key: value.experimentKey,
    variant: value.variant,
    unit_id: value.unitId,
    revision: value.revision,
    recorded_by: value.recordedBy,
    request_id: value.requestId ?? '',
    exposed_at: new Date(ms).toISOString().slice(0, 19).replace('T', ' '),
    exposed_at_ms: ms,
  };
}

/** Lands kuroshio.experiment.exposures.v1 (from this service and from inference) in `exposures`. */
export function exposuresWarehouseSink(options: { kafka: KafkaClient; clickhouse: ClickHouseClient; logger: StructuredLogger; groupId: string; topicName: string }) {
  return new TopicWarehouseSink<ExposureValue>({
    topic: TOPICS.experimentExposures,
    topicName: options.topicName,
    groupId: options.groupId,
    table: 'exposures',
    kafka: options.kafka,
    clickhouse: options.clickhouse,
    logger: options.logger,
    toRow: exposureRow,
  });
}
