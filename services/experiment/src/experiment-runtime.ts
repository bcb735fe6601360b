import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ClickHouseClient } from '@kuroshio/clickhouse';
import { ClickHouseChangeLog } from '@kuroshio/control-plane';
import type { ExposureValue } from '@kuroshio/contracts';
import { KafkaClient, type KafkaProducer } from '@kuroshio/kafka';
import { ReadinessRegistry, SERVICE_CONFIG, SERVICE_LOGGER, type ReadinessCheck } from '@kuroshio/service-kit';
import type { Logger } from '@kuroshio/telemetry';
import type { TopicWarehouseSink } from '@kuroshio/warehouse-sink';
import { ClickHouseAnalysis } from './adapters/clickhouse-analysis.js';
import { CHANGE_LOG_TABLE } from './adapters/change-rows.js';
import { exposuresWarehouseSink } from './adapters/exposures-warehouse-sink.js';
import { KafkaExposurePublisher } from './adapters/kafka-exposure-publisher.js';
import { ExperimentAnalysis } from './analysis/experiment-analysis.js';
import type { ExperimentConfig } from './config.js';
import { ExperimentCatalog } from './domain/experiment-catalog.js';
import { ExperimentMetrics } from './experiment-metrics.js';

const FIRST_REBUILD_WAIT_MS = 5_000;

/**
 * Wires the plain catalog and analysis to ClickHouse and Kafka, rebuilds the state from the change
 * log at start-up (retrying while ClickHouse is away; `/readyz` says `experiment-state` is down
 * until then), runs the exposures warehouse sink with a consumer group of its own, and stops both
 * on shutdown.
 */
@Injectable()
export class ExperimentRuntime implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  readonly catalog: ExperimentCatalog;
  readonly analysis: ExperimentAnalysis;
  readonly #producer: KafkaProducer;
  readonly #sink: TopicWarehouseSink<ExposureValue> | undefined;
  #stopping = false;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ExperimentConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    kafka: KafkaClient,
    clickhouse: ClickHouseClient,
    private readonly readiness: ReadinessRegistry,
    private readonly metrics: ExperimentMetrics,
  ) {
    const settings = config.experiment;
    this.#producer = kafka.producer({ deliveryTimeoutMs: settings.exposureTimeoutMs });
    const warehouse = new ClickHouseAnalysis(clickhouse);
    this.catalog = new ExperimentCatalog({
      log: new ClickHouseChangeLog(clickhouse, CHANGE_LOG_TABLE),
      views: warehouse,
      exposures: new KafkaExposurePublisher((topic, messages) => this.#producer.send(topic, messages), settings.exposuresTopic),
      newEventId: randomUUID,
      newSalt: () => randomBytes(8).toString('hex'),
    });
    this.analysis = new ExperimentAnalysis({ catalog: this.catalog, source: warehouse });
    this.#sink = settings.exposureSinkEnabled
      ? exposuresWarehouseSink({ kafka, clickhouse, logger, groupId: settings.exposureSinkGroup, topicName: settings.exposuresTopic })
      : undefined;
  }

  onModuleInit(): void {
    const catalog = this.catalog;
    const state: ReadinessCheck = {
      name: 'experiment-state',
      check: async () => {
        if (!catalog.rebuilt) throw new Error('rebuilding the experiment state from the change log');
      },
    };
    this.readiness.register(state);
    this.readiness.register(this.#producer);
    const sink = this.#sink;
    if (sink !== undefined) this.readiness.register({ name: 'exposures-sink', check: () => sink.check() });
    this.metrics.observe(this.catalog);
  }

  /** Gives the first rebuild a few seconds before the servers open, so a normal start is ready at once. */
  async onApplicationBootstrap(): Promise<void> {
    if (this.#sink !== undefined) void this.#startSink(this.#sink);
    const rebuilt = this.#rebuildUntilDone();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([rebuilt, new Promise((resolve) => (timer = setTimeout(resolve, FIRST_REBUILD_WAIT_MS).unref()))]);
    clearTimeout(timer);
  }

  async onModuleDestroy(): Promise<void> {
    this.#stopping = true;
    await this.#sink?.stop().catch((error: unknown) => this.logger.warn({ err: error }, 'exposures sink did not stop cleanly'));
  }

  async #rebuildUntilDone(): Promise<void> {
    const started = performance.now();
    while (!this.#stopping) {
      try {
        const seq = await this.catalog.rebuild();
        this.logger.info({ changes: seq, ms: Math.round(performance.now() - started) }, 'experiment state rebuilt from the change log');
        return;
      } catch (error) {
        this.logger.warn({ err: error, retryInMs: this.config.experiment.rebuildRetryMs }, 'could not rebuild the experiment state yet; retrying');
        await new Promise((resolve) => setTimeout(resolve, this.config.experiment.rebuildRetryMs).unref());
      }
    }
  }

  async #startSink(sink: TopicWarehouseSink<ExposureValue>): Promise<void> {
    while (!this.#stopping) {
      try {
        await sink.start();
        this.logger.info({ topic: sink.topicName }, 'exposures warehouse sink running');
        return;
      } catch (error) {
        this.logger.warn({ err: error }, 'exposures warehouse sink did not start; retrying');
        await sink.stop().catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, this.config.experiment.rebuildRetryMs).unref());
      }
    }
  }
}
