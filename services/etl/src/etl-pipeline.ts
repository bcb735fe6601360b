import type { ClickHouseClient } from '@kuroshio/clickhouse';
import type { KafkaClient } from '@kuroshio/kafka';
import type { ObjectStore } from '@kuroshio/object-store';
import type { StructuredLogger } from '@kuroshio/telemetry';
import type { BatchSink } from './domain/batch-delivery.js';
import { DedupWarmup } from './domain/dedup-warmup.js';
import { DedupWindow } from './domain/dedup-window.js';
import { EventSchemas } from './domain/event-schemas.js';
import type { BatchProcessing } from './domain/process-batch.js';
import type { EtlSettings } from './etl-config.js';
import { PiiTokenizer } from './pii/index.js';
import { resolvePiiKey } from './pii-key.js';
import { LakeWriter } from './sinks/lake-writer.js';
import { WarehouseSeenMessages } from './sinks/seen-messages.js';
import { TopicWriter } from './sinks/topic-writer.js';
import { WarehouseWriter } from './sinks/warehouse-writer.js';

export interface EtlPipelineDependencies {
  readonly settings: EtlSettings;
  readonly schemaDirectory: string;
  readonly lakeBucket: string;
  readonly logger: StructuredLogger;
  readonly kafka: KafkaClient;
  readonly clickhouse: ClickHouseClient;
  readonly objects: ObjectStore;
}

export interface EtlPipeline {
  readonly processing: BatchProcessing;
  readonly sinks: readonly BatchSink[];
  readonly warmup: DedupWarmup;
  /** Connects the producer of events.clean and events.dlq. */
  readonly connect: () => Promise<void>;
}

/** Wires the domain to its adapters: schemas compiled once, the tokenizer keyed, sinks in delivery order. */
export async function buildEtlPipeline(dependencies: EtlPipelineDependencies): Promise<EtlPipeline> {
  const { settings, logger } = dependencies;
  const { key, origin } = await resolvePiiKey(settings, logger);
  logger.info({ piiKeyOrigin: origin }, 'pii key loaded');
  const schemas = await EventSchemas.load(dependencies.schemaDirectory);
  const producer = dependencies.kafka.producer();
  const lake = new LakeWriter(dependencies.objects, dependencies.lakeBucket, settings.lakePrefix);
  const warehouse = new WarehouseWriter(dependencies.clickhouse);
  const topics = new TopicWriter(producer, { clean: settings.topics.clean, dlq: settings.topics.dlq });
  const dedup = new DedupWindow(settings.dedupWindowSize);
  return {
    processing: {
      schemas,
      scrubber: new PiiTokenizer({ key }),
      dedup,
      eventTime: { lateAfterMs: settings.lateAfterMs, futureToleranceMs: settings.futureToleranceMs },
      now: () => new Date(),
    },
    sinks: [
      { name: 'lake', write: (batch) => lake.writeBatch(batch).then(() => undefined) },
      { name: 'clickhouse', write: (batch, processedAt) => warehouse.writeBatch(batch, processedAt) },
      { name: 'kafka', write: (batch) => topics.writeBatch(batch) },
    ],
    warmup: new DedupWarmup(new WarehouseSeenMessages(dependencies.clickhouse), dedup, settings.dedupWindowSize === 0 ? 0 : settings.dedupPreloadOffsets),
    connect: () => producer.connect(),
  };
}
