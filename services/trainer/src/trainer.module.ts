import { Module, type DynamicModule } from '@nestjs/common';
import { ClickHouseModule } from '@kuroshio/clickhouse';
import { ObjectStoreModule } from '@kuroshio/object-store';
import type { TrainerConfig } from './config.js';

@Module({})
export class TrainerModule {
  static forRoot(config: TrainerConfig): DynamicModule {
    return {
      module: TrainerModule,
      imports: [ClickHouseModule.forRoot(config.clickhouse), ObjectStoreModule.forRoot(config.s3)],
    };
  }
}
