import { Inject, Injectable, Module, type DynamicModule, type OnModuleDestroy } from '@nestjs/common';
import { ClickHouseModule } from '@kuroshio/clickhouse';
import { ObjectStore, ObjectStoreModule } from '@kuroshio/object-store';
import { SERVICE_LOGGER } from '@kuroshio/service-kit';
import type { Logger } from '@kuroshio/telemetry';
import { resolveCodeVersion } from './code-version.js';
import type { TrainerConfig } from './config.js';
import { ContractClient } from './grpc/contract-client.js';
import { TrainerGrpcController } from './grpc/trainer-grpc.controller.js';
import { TrainingJobQueue } from './jobs/training-job-queue.js';
import { trainingPipeline } from './jobs/training-pipeline.js';
import { TrainerMetrics } from './metrics/trainer-metrics.js';
import { ModelRegistryClient } from './registry/model-registry-client.js';
import { retrainingProviders } from './retraining/retraining.providers.js';
import { TensorflowBackend } from './tfjs/tensorflow-backend.js';
import { FeatureStoreExporter } from './training-set/feature-store-exports.js';
import { TRAINER_SETTINGS } from './trainer-tokens.js';

const FEATURE_STORE_CLIENT = Symbol('FEATURE_STORE_CLIENT');
const MODEL_REGISTRY_CLIENT = Symbol('MODEL_REGISTRY_CLIENT');
const ACTOR = 'trainer';

/** Shutdown: running jobs stop at their next batch (reported CANCELLED), then the clients close. */
@Injectable()
class TrainerShutdown implements OnModuleDestroy {
  constructor(
    private readonly queue: TrainingJobQueue,
    @Inject(FEATURE_STORE_CLIENT) private readonly featureStore: ContractClient,
    @Inject(MODEL_REGISTRY_CLIENT) private readonly registry: ContractClient,
  ) {}

  async onModuleDestroy(): Promise<void> {
    await this.queue.close();
    this.featureStore.close();
    this.registry.close();
  }
}

@Module({})
export class TrainerModule {
  static forRoot(config: TrainerConfig): DynamicModule {
    const settings = config.trainer;
    return {
      module: TrainerModule,
      imports: [ClickHouseModule.forRoot(config.clickhouse), ObjectStoreModule.forRoot(config.s3)],
      controllers: [TrainerGrpcController],
      providers: [
        { provide: TRAINER_SETTINGS, useValue: settings },
        TrainerMetrics,
        TensorflowBackend,
        { provide: FEATURE_STORE_CLIENT, useFactory: () => new ContractClient('feature-store', settings.featureStoreAddress, ACTOR, settings.rpcDeadlineMs) },
        { provide: MODEL_REGISTRY_CLIENT, useFactory: () => new ContractClient('model-registry', settings.modelRegistryAddress, ACTOR, settings.rpcDeadlineMs) },
        {
          provide: TrainingJobQueue,
          inject: [ObjectStore, FEATURE_STORE_CLIENT, MODEL_REGISTRY_CLIENT, TensorflowBackend, TrainerMetrics, SERVICE_LOGGER],
          useFactory: (store: ObjectStore, featureStore: ContractClient, registry: ContractClient, backend: TensorflowBackend, metrics: TrainerMetrics, logger: Logger) =>
            new TrainingJobQueue(
              trainingPipeline({
                store,
                buckets: config.s3.buckets,
                exporter: new FeatureStoreExporter(featureStore),
                exportPolling: { intervalMs: settings.exportPollIntervalMs, timeoutMs: settings.exportTimeoutMs },
                registry: new ModelRegistryClient(registry),
                backend: () => backend.name,
                codeVersion: resolveCodeVersion(settings.codeVersion),
                logger,
                onTrained: (samplesPerSecond) => metrics.trained(samplesPerSecond),
              }),
              { concurrency: settings.concurrency, logger, events: { onStateChange: (job, previous) => metrics.stateChanged(job, previous) } },
            ),
        },
        TrainerShutdown,
        ...retrainingProviders(config),
      ],
    };
  }
}

