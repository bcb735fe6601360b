import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit, type Provider } from '@nestjs/common';
import { ClickHouseClient } from '@kuroshio/clickhouse';
import { ObjectStore } from '@kuroshio/object-store';
import { SERVICE_LOGGER } from '@kuroshio/service-kit';
import type { Logger } from '@kuroshio/telemetry';
import type { TrainerConfig } from '../config.js';
import { ContractClient } from '../grpc/contract-client.js';
import { TrainingJobQueue } from '../jobs/training-job-queue.js';
import { ClickHouseRetrainingLog } from './adapters/clickhouse-retraining-log.js';
import { ClickHouseRetrainingSources } from './adapters/clickhouse-retraining-sources.js';
import { GrpcOnlineFeatures } from './adapters/grpc-online-features.js';
import { GrpcRetrainingExperiments } from './adapters/grpc-retraining-experiments.js';
import { GrpcRetrainingRegistry } from './adapters/grpc-retraining-registry.js';
import { QueuedChallengerTrainer } from './adapters/queued-challenger-trainer.js';
import { S3ChampionReferences } from './adapters/s3-champion-references.js';
import { RETRAINING_ACTOR, RetrainingRunner } from './retraining-runner.js';
import { RetrainingSchedule } from './retraining-schedule.js';
import { RetrainingService } from './retraining-service.js';

const RETRAINING_CLIENTS = Symbol('RETRAINING_CLIENTS');

interface RetrainingClients {
  readonly registry: ContractClient;
  readonly experiments: ContractClient;
  readonly featureStore: ContractClient;
}

/**
 * Starts the schedule after start-up. On shutdown stops it — closing the job queue first, which
 * cancels a challenger job the current round may be waiting on — then closes the clients.
 */
@Injectable()
export class RetrainingLifecycle implements OnModuleInit, OnModuleDestroy {
  constructor(
    private readonly schedule: RetrainingSchedule,
    private readonly queue: TrainingJobQueue,
    @Inject(RETRAINING_CLIENTS) private readonly clients: RetrainingClients,
  ) {}

  onModuleInit(): void {
    this.schedule.start();
  }

  async onModuleDestroy(): Promise<void> {
    const stopped = this.schedule.stop();
    await this.queue.close();
    await stopped;
    for (const client of Object.values(this.clients)) client.close();
  }
}

/** Continuous retraining's pieces: clients as actor `retraining`, the runner, the service behind the RPC, the schedule. */
export function retrainingProviders(config: TrainerConfig): Provider[] {
  const { trainer, retraining } = config;
  return [
    {
      provide: RETRAINING_CLIENTS,
      useFactory: (): RetrainingClients => ({
        registry: new ContractClient('model-registry', trainer.modelRegistryAddress, RETRAINING_ACTOR, trainer.rpcDeadlineMs),
        experiments: new ContractClient('experiment', retraining.experimentAddress, RETRAINING_ACTOR, trainer.rpcDeadlineMs),
        featureStore: new ContractClient('feature-store', trainer.featureStoreAddress, RETRAINING_ACTOR, trainer.rpcDeadlineMs),
      }),
    },
    {
      provide: RetrainingRunner,
      inject: [RETRAINING_CLIENTS, TrainingJobQueue, ClickHouseClient, ObjectStore],
      useFactory: (clients: RetrainingClients, queue: TrainingJobQueue, clickhouse: ClickHouseClient, store: ObjectStore) => {
        const warehouse = new ClickHouseRetrainingSources(clickhouse);
        return new RetrainingRunner({
          registry: new GrpcRetrainingRegistry(clients.registry),
          experiments: new GrpcRetrainingExperiments(clients.experiments),
          trainer: new QueuedChallengerTrainer(queue),
          references: new S3ChampionReferences(store),
          traffic: warehouse,
          labels: warehouse,
          online: new GrpcOnlineFeatures(clients.featureStore),
          log: new ClickHouseRetrainingLog(clickhouse),
        });
      },
    },
    {
      provide: RetrainingService,
      inject: [RetrainingRunner],
      useFactory: (runner: RetrainingRunner) => new RetrainingService(runner, retraining.policies),
    },
    {
      provide: RetrainingSchedule,
      inject: [RetrainingService, SERVICE_LOGGER],
      useFactory: (service: RetrainingService, logger: Logger) =>
        new RetrainingSchedule(service.policies, (policy) => service.runCycle(policy.modelName, null), retraining.intervalMs, logger.child({ component: 'retraining' })),
    },
    RetrainingLifecycle,
  ];
}
