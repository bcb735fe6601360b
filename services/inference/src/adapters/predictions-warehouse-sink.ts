import type { ClickHouseClient } from '@kuroshio/clickhouse';
import { TOPICS, type PredictionValue } from '@kuroshio/contracts';
import type { KafkaClient } from '@kuroshio/kafka';
import type { StructuredLogger } from '@kuroshio/telemetry';
import { TopicWarehouseSink } from '@kuroshio/warehouse-sink';

/** The `predictions` row of one served prediction (deterministic: a replay inserts the same row). */
export function predictionRow(value: PredictionValue): Record<string, unknown> {
  return {
    request_id: value.requestId,
    // Records from before the prediction id existed keep the old dedup key (model, second, request id).
    prediction_id: value.predictionId ?? '',
    entity_id: value.entityId ?? '',
    model_name: value.modelName,
    model_version: value.modelVersion,
    artifact: value.artifact,
    experiment_key: value.experimentKey ?? '',
    variant: value.variant ?? '',
    score: value.scores[0],
    scores: value.scores,
    latency_ms: value.latencyMs,
    feature_vector_hash: value.featureVectorHash,
    served_at: value.servedAt.slice(0, 19).replace('T', ' '),
    served_at_ms: Date.parse(value.servedAt),
  };
}

/** Lands `servingPredictions` in ClickHouse `predictions`, committing each batch after its insert. */
export function predictionsWarehouseSink(options: { kafka: KafkaClient; clickhouse: ClickHouseClient; logger: StructuredLogger; groupId: string; topicName: string }) {
  return new TopicWarehouseSink({
    topic: TOPICS.servingPredictions,
    topicName: options.topicName,
    groupId: options.groupId,
    table: 'predictions',
    kafka: options.kafka,
    clickhouse: options.clickhouse,
    logger: options.logger,
    toRow: (value) => predictionRow(value),
  });
}
