import { Module, type DynamicModule } from '@nestjs/common';
import { ClickHouseModule } from '@kuroshio/clickhouse';
import { KafkaModule } from '@kuroshio/kafka';
import { ObjectStoreModule } from '@kuroshio/object-store';
import type { FeatureStoreConfig } from './config.js';
import { FeatureViewsModule, OfflineStoreModule } from './offline-store.module.js';
import { OnlineStoreModule } from './online/online-store.module.js';

@Module({})
export class FeatureStoreModule {
  static forRoot(config: FeatureStoreConfig): DynamicModule {
    return {
      module: FeatureStoreModule,
      imports: [
        KafkaModule.forRoot(config.kafka),
        ClickHouseModule.forRoot(config.clickhouse),
        ObjectStoreModule.forRoot(config.s3),
        FeatureViewsModule.forRoot(config.offline),
        OfflineStoreModule.forRoot(config),
        OnlineStoreModule.forRoot(config),
      ],
    };
  }
}
