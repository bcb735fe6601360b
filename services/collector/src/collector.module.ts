import { Module, type DynamicModule } from '@nestjs/common';
import { KafkaModule } from '@kuroshio/kafka';
import type { CollectorConfig } from './config.js';
import { COLLECTOR_SETTINGS } from './collector-tokens.js';
import { IngestGrpcController } from './grpc/ingest-grpc.controller.js';
import { HttpIngestPipeline } from './http/http-ingest-pipeline.js';
import { LineWebhookController } from './http/line-webhook.controller.js';
import { SegmentController } from './http/segment.controller.js';
import { EventIngestor } from './ingest/event-ingestor.js';
import { InFlightBudget } from './ingest/in-flight-budget.js';
import { SourceRateLimits } from './ingest/source-rate-limits.js';
import { RawEventsProducer } from './kafka/raw-events-producer.js';
import { CollectorMetrics } from './metrics/collector-metrics.js';
import { SourceRegistry } from './sources/source-registry.js';

@Module({})
export class CollectorModule {
  static forRoot(config: CollectorConfig): DynamicModule {
    const settings = config.collector;
    return {
      module: CollectorModule,
      imports: [KafkaModule.forRoot(config.kafka)],
      controllers: [SegmentController, LineWebhookController, IngestGrpcController],
      providers: [
        { provide: COLLECTOR_SETTINGS, useValue: settings },
        { provide: SourceRegistry, useValue: new SourceRegistry(settings.sources) },
        CollectorMetrics,
        RawEventsProducer,
        HttpIngestPipeline,
        {
          provide: EventIngestor,
          inject: [RawEventsProducer, CollectorMetrics],
          useFactory: (sink: RawEventsProducer, metrics: CollectorMetrics) =>
            new EventIngestor({
              sink,
              metrics,
              rateLimits: new SourceRateLimits(settings.sources),
              budget: new InFlightBudget({ maxEvents: settings.backpressure.maxInFlightEvents, maxBytes: settings.backpressure.maxInFlightBytes }),
              limits: {
                maxBatchEvents: settings.limits.maxBatchEvents,
                maxEventBytes: settings.limits.maxEventBytes,
                retryAfterSeconds: settings.backpressure.retryAfterSeconds,
              },
              collector: settings.instance,
            }),
        },
      ],
    };
  }
}
