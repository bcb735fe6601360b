import type { Metadata } from '@grpc/grpc-js';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ClickHouseClient } from '@kuroshio/clickhouse';
import { KafkaClient, type KafkaProducer } from '@kuroshio/kafka';
import { announceBackend, selectBackend } from '@kuroshio/model-runtime';
import { ObjectStore } from '@kuroshio/object-store';
import { ReadinessRegistry, SERVICE_CONFIG, SERVICE_LOGGER } from '@kuroshio/service-kit';
import type { Logger } from '@kuroshio/telemetry';
import type { TopicWarehouseSink } from '@kuroshio/warehouse-sink';
import { AliasChangeListener } from './adapters/alias-change-listener.js';
import { ApiKeyAuthenticator } from './adapters/caller-authentication.js';
import { GrpcExperimentDirectory } from './adapters/grpc-experiment-directory.js';
import { OnlineFeatureClient } from './adapters/online-feature-client.js';
import { predictionsWarehouseSink } from './adapters/predictions-warehouse-sink.js';
import { GrpcModelRegistry } from './adapters/registry-client.js';
import { S3ModelLoader } from './adapters/s3-model-loader.js';
import type { InferenceConfig } from './config.js';
import { ChallengerRouting } from './domain/challenger-routing.js';
import { ModelCatalog } from './domain/model-catalog.js';
import { PredictionLog } from './domain/prediction-log.js';
import { Predictor } from './domain/predictor.js';
import { batchObserver, exportBatchingSettings, inferenceMetrics } from './inference-metrics.js';
import type { CallerAuthentication } from './inference-tokens.js';

/**
 * Wires the plain predictor to its adapters: the registry and S3 (model versions), the feature
 * store, the experiment service, Kafka (prediction log, alias changes) and the predictions
 * warehouse sink. Nothing here blocks start-up on a dependency: consumers start in the background
 * and retry, so `/readyz` reports what is missing while `/healthz` answers.
 */
@Injectable()
export class InferenceRuntime implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  readonly catalog: ModelCatalog;
  readonly predictor: Predictor;
  readonly authenticate: CallerAuthentication;
  readonly aliasChanges: AliasChangeListener;
  readonly #registry: GrpcModelRegistry;
  readonly #features: OnlineFeatureClient;
  readonly #experiments: GrpcExperimentDirectory;
  readonly #producer: KafkaProducer;
  readonly #log: PredictionLog;
  readonly #clickhouse: ClickHouseClient | undefined;
  readonly #sink: TopicWarehouseSink<unknown> | undefined;
  #stopping = false;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: InferenceConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly kafka: KafkaClient,
    objects: ObjectStore,
    private readonly readiness: ReadinessRegistry,
  ) {
    const settings = config.inference;
    exportBatchingSettings(settings.batching);
    this.#registry = new GrpcModelRegistry(settings.modelRegistryAddress, settings.registryTimeoutMs);
    this.catalog = new ModelCatalog({
      registry: this.#registry,
      loader: new S3ModelLoader(objects, settings.artifact),
      batching: settings.batching,
      coldLoadWaitMs: settings.coldLoadWaitMs,
      logger,
      observer: batchObserver,
      onSwap: (model, alias) => inferenceMetrics.aliasSwaps.inc({ model, alias }),
    });
    this.#features = new OnlineFeatureClient({
      address: settings.featureStoreAddress,
      ...settings.features,
      onLookup: (outcome, count) => count > 0 && inferenceMetrics.featureLookups.inc({ outcome }, count),
      onCall: (entities) => inferenceMetrics.featureCallEntities.observe(entities),
    });
    this.#experiments = new GrpcExperimentDirectory(settings.experimentAddress, settings.experiments);
    this.#producer = kafka.producer({ deliveryTimeoutMs: 10_000 });
    this.#log = new PredictionLog(
      this.#producer,
      {
        capacity: settings.predictionLog.bufferRecords,
        sendBatch: settings.predictionLog.sendBatchRecords,
        retryMs: settings.predictionLog.retryMs,
        lingerMs: settings.predictionLog.lingerMs,
        onDepth: (records) => inferenceMetrics.logDepth.set(records),
        onSendFailed: (error, waiting) => {
          inferenceMetrics.logSendFailures.inc();
          logger.warn({ err: error, waiting }, 'prediction log not sent yet; retrying (new requests are shed when the buffer fills)');
        },
      },
    );
    this.predictor = new Predictor({
      catalog: this.catalog,
      features: this.#features,
      experiments: this.#experiments,
      ...(settings.routeChallengers
        ? {
            challengers: new ChallengerRouting(this.#registry, {
              cacheTtlMs: settings.experiments.cacheTtlMs,
              onLookupFailed: (model, error) => logger.warn({ err: error, model }, "the model's challenger alias could not be read; the champion serves alone until it can"),
            }),
          }
        : {}),
      log: this.#log,
      topics: { predictions: settings.topics.predictions, exposures: settings.topics.exposures },
      maxBatchInstances: settings.maxBatchInstances,
      observe: (served) => {
        inferenceMetrics.predictions.inc({ model: served.modelName, version: String(served.version) }, served.rows);
        inferenceMetrics.stageSeconds.observe({ stage: 'features' }, served.featureSeconds);
        inferenceMetrics.stageSeconds.observe({ stage: 'model' }, served.modelSeconds);
      },
    });
    this.aliasChanges = new AliasChangeListener(kafka, settings.topics.aliasChanges, settings.aliasChangesGroupPrefix, this.catalog, logger);
    this.authenticate = authentication(settings.auth);
    if (settings.warehouseSink.enabled) {
      // Not a readiness dependency: a ClickHouse outage delays the landing of predictions, not serving.
      this.#clickhouse = new ClickHouseClient({ ...config.clickhouse, logger });
      this.#sink = predictionsWarehouseSink({ kafka, clickhouse: this.#clickhouse, logger, groupId: settings.warehouseSink.groupId, topicName: settings.topics.predictions }) as TopicWarehouseSink<unknown>;
    }
  }

  async onModuleInit(): Promise<void> {
    const backend = this.config.inference.backend;
    announceBackend(await selectBackend(backend === 'auto' ? undefined : backend), this.logger);
    this.readiness.register(this.aliasChanges);
  }

  onApplicationBootstrap(): void {
    this.aliasChanges.start();
    if (this.#sink !== undefined) void this.#startSink(this.#sink);
    for (const target of this.config.inference.preload) void this.catalog.preload(target);
  }

  async onModuleDestroy(): Promise<void> {
    this.#stopping = true;
    await this.aliasChanges.stop();
    const unsent = await this.#log.close(Math.floor(this.config.service.shutdownTimeoutMs / 4));
    if (unsent > 0) this.logger.error({ unsent }, 'prediction log records not delivered before shutdown');
    await this.#sink?.stop().catch(() => undefined);
    await this.#clickhouse?.close().catch(() => undefined);
    this.#registry.close();
    this.#features.close();
    this.#experiments.close();
    await this.catalog.close();
  }

  async #startSink(sink: TopicWarehouseSink<unknown>): Promise<void> {
    while (!this.#stopping) {
      try {
        await sink.start();
        this.logger.info({ topic: sink.topicName }, 'predictions warehouse sink running');
        return;
      } catch (error) {
        this.logger.warn({ err: error }, 'predictions warehouse sink did not start; retrying');
        await sink.stop().catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 2_000).unref());
      }
    }
  }
}

function authentication(auth: InferenceConfig['inference']['auth']): CallerAuthentication {
  if (auth.mode !== 'api-key') return () => undefined;
  const keys = new ApiKeyAuthenticator(auth.apiKeySha256);
  return (metadata: Metadata) => {
    const value = metadata.get('x-api-key')[0];
    keys.check(typeof value === 'string' ? value : value?.toString('utf8'));
  };
}
