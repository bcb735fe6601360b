import { Module, type DynamicModule } from '@nestjs/common';
import { ClickHouseModule } from '@kuroshio/clickhouse';
import { KafkaModule } from '@kuroshio/kafka';
import { ObjectStoreModule } from '@kuroshio/object-store';
import type { ModelRegistryConfig } from './config.js';

@Module({})
export class ModelRegistryModule {
  static forRoot(config: ModelRegistryConfig): DynamicModule {
    return {
      module: ModelRegistryModule,
      imports: [KafkaModule.forRoot(config.kafka), ClickHouseModule.forRoot(config.clickhouse), ObjectStoreModule.forRoot(config.s3)],
    };
  }
}
