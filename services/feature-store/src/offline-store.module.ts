import { Inject, Injectable, Module, type DynamicModule, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ClickHouseClient } from '@kuroshio/clickhouse';
import { ObjectStore } from '@kuroshio/object-store';
import { SERVICE_LOGGER } from '@kuroshio/service-kit';
import type { Logger } from '@kuroshio/telemetry';
import type { FeatureStoreConfig } from './config.js';
import { FeatureViewsGrpcController } from './grpc/feature-views.grpc.controller.js';
import { ParityGrpcController } from './grpc/parity.grpc.controller.js';
import { TrainingSetsGrpcController } from './grpc/training-sets.grpc.controller.js';
import { sweepLabelTables } from './offline/label-table.js';
import { ClickHouseOfflineFeatureReader } from './offline/offline-feature-reader.js';
import { DEFAULT_LABEL_ROWS_PREFIX } from './offline/label-rows-object.js';
import { exportTrainingSet } from './offline/training-set-export.js';
import { TrainingSetJobs } from './offline/training-set-jobs.js';
import { readStoredManifest } from './offline/stored-manifest.js';
import { recordFinishedExport } from './offline/training-set-metrics.js';
import type { OfflineSettings } from './offline-settings.js';
import { LAKE_BUCKET, OFFLINE_FEATURE_READER, OFFLINE_SETTINGS } from './offline-store.tokens.js';
import { ParityMetrics } from './parity/parity-metrics.js';
import { loadFeatureViews } from './views/feature-view-loader.js';
import { FeatureViewRegistry } from './views/feature-view-registry.js';

/** The feature views from YAML, loaded once; global so that the online module reads the same registry. */
@Module({})
export class FeatureViewsModule {
  static forRoot(settings: OfflineSettings): DynamicModule {
    return {
      module: FeatureViewsModule,
      global: true,
      providers: [{ provide: FeatureViewRegistry, useFactory: async () => new FeatureViewRegistry(await loadFeatureViews(settings.viewsDir)) }],
      exports: [FeatureViewRegistry],
    };
  }
}

/** Sweeps label tables a crashed process left behind; stops the export queue on shutdown. */
@Injectable()
class OfflineStoreLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    private readonly jobs: TrainingSetJobs,
    private readonly clickhouse: ClickHouseClient,
    @Inject(OFFLINE_SETTINGS) private readonly settings: OfflineSettings,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    // In the background and best effort: ClickHouse may still be coming up, and the next start sweeps again.
    sweepLabelTables(this.clickhouse, this.settings.labelTableMaxAgeMs).then(
      (dropped) => dropped.length > 0 && this.logger.info({ dropped }, 'dropped label tables left by earlier exports'),
      (error: unknown) => this.logger.warn({ err: error }, 'could not sweep old label tables'),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.jobs.close();
  }
}

/** Registry, training-set export and parity RPCs over ClickHouse and S3. */
@Module({})
export class OfflineStoreModule {
  static forRoot(config: FeatureStoreConfig): DynamicModule {
    const settings = config.offline;
    const bucket = config.s3.buckets.lake;
    const labelRows = {
      locations: settings.labelRowsLocations.length > 0 ? settings.labelRowsLocations : [{ bucket, prefix: DEFAULT_LABEL_ROWS_PREFIX }],
      maxBytes: settings.labelRowsMaxBytes,
    };
    return {
      module: OfflineStoreModule,
      controllers: [FeatureViewsGrpcController, TrainingSetsGrpcController, ParityGrpcController],
      providers: [
        { provide: OFFLINE_SETTINGS, useValue: settings },
        { provide: LAKE_BUCKET, useValue: bucket },
        {
          provide: OFFLINE_FEATURE_READER,
          inject: [ClickHouseClient],
          useFactory: (clickhouse: ClickHouseClient) => new ClickHouseOfflineFeatureReader({ clickhouse, eventsTable: settings.eventsTable }),
        },
        {
          provide: TrainingSetJobs,
          inject: [ClickHouseClient, ObjectStore, SERVICE_LOGGER],
          useFactory: (clickhouse: ClickHouseClient, store: ObjectStore, logger: Logger) =>
            new TrainingSetJobs({
              run: async (request, signal) => {
                const deps = { source: { clickhouse, eventsTable: settings.eventsTable }, store, bucket, labelRows, chunkRows: settings.exportChunkRows, now: Date.now, signal };
                const { manifest, timings } = await exportTrainingSet(deps, request);
                logger.info({ exportId: request.exportId, rows: manifest.rowCount, contentHash: manifest.contentHash, timings }, 'training set exported');
                return manifest;
              },
              readManifest: (exportId) => readStoredManifest(store, bucket, exportId),
              onFinished: (job, error) => {
                recordFinishedExport(job);
                if (error !== undefined) logger.warn({ exportId: job.exportId, err: error }, 'training-set export failed');
              },
            }),
        },
        ParityMetrics,
        OfflineStoreLifecycle,
      ],
    };
  }
}
