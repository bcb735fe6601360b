import { Injectable, Module, type DynamicModule, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { KafkaClient } from '@kuroshio/kafka';
import { ObjectStore } from '@kuroshio/object-store';
import { ReadinessRegistry, SERVICE_LOGGER } from '@kuroshio/service-kit';
import type { Logger } from '@kuroshio/telemetry';
import type { S3Settings } from '@kuroshio/config';
import { ONLINE_FEATURE_READER } from '../parity/online-feature-reader.js';
import type { FeatureView } from '../views/feature-view.js';
import { FeatureViewRegistry, MAX_PAGE_SIZE } from '../views/feature-view-registry.js';
import type { OnlineStoreSettings } from './online-config.js';
import { OnlineFeatureStore } from './online-feature-store.js';
import { OnlineReads } from './online-reads.js';
import { SnapshotStore, snapshotPrefix } from './snapshot/snapshot-store.js';
import { OnlineFeaturesController } from './transport/online-features.controller.js';

/** Every version of every loaded view: the online state serves pinned old versions too. */
export function allViews(registry: FeatureViewRegistry): FeatureView[] {
  const views: FeatureView[] = [];
  let pageToken = '';
  do {
    const page = registry.list({ allVersions: true, pageSize: MAX_PAGE_SIZE, pageToken });
    views.push(...page.views);
    pageToken = page.nextPageToken;
  } while (pageToken !== '');
  return views;
}

/** Registers readiness, starts restoring and consuming, and snapshots on a graceful stop. */
@Injectable()
class OnlineStoreLifecycle implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    private readonly store: OnlineFeatureStore,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.readiness.register(this.store);
  }

  onApplicationBootstrap(): void {
    this.store.start();
  }

  async onModuleDestroy(): Promise<void> {
    // Before the Kafka and S3 clients close: drains the batch in hand, then writes a last snapshot.
    await this.store.stop({ snapshot: true });
  }
}

export interface OnlineStoreModuleOptions {
  readonly online: OnlineStoreSettings;
  readonly s3: S3Settings;
}

/**
 * Online values kept current from events.clean and served by GetOnlineFeatures; global so that the
 * parity check (another module) finds its ONLINE_FEATURE_READER. Needs the global FeatureViewRegistry,
 * KafkaClient and ObjectStore.
 */
@Module({})
export class OnlineStoreModule {
  static forRoot(config: OnlineStoreModuleOptions): DynamicModule {
    const settings = config.online;
    const location = { bucket: config.s3.buckets[settings.snapshotBucket], prefix: snapshotPrefix(settings.groupId) };
    return {
      module: OnlineStoreModule,
      global: true,
      controllers: [OnlineFeaturesController],
      providers: [
        {
          provide: OnlineFeatureStore,
          inject: [FeatureViewRegistry, KafkaClient, ObjectStore, SERVICE_LOGGER],
          useFactory: (registry: FeatureViewRegistry, kafka: KafkaClient, objects: ObjectStore, logger: Logger) =>
            new OnlineFeatureStore({ views: allViews(registry), settings, kafka, snapshots: new SnapshotStore(objects, location), logger }),
        },
        { provide: OnlineReads, inject: [OnlineFeatureStore], useFactory: (store: OnlineFeatureStore) => store.reads },
        { provide: ONLINE_FEATURE_READER, useExisting: OnlineFeatureStore },
        OnlineStoreLifecycle,
      ],
      exports: [ONLINE_FEATURE_READER, OnlineFeatureStore],
    };
  }
}
