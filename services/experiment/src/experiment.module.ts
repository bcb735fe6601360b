import { Module, type DynamicModule } from '@nestjs/common';
import { ClickHouseModule } from '@kuroshio/clickhouse';
import { KafkaModule } from '@kuroshio/kafka';
import type { ExperimentConfig } from './config.js';

@Module({})
export class ExperimentModule {
  static forRoot(config: ExperimentConfig): DynamicModule {
    return {
      module: ExperimentModule,
      imports: [KafkaModule.forRoot(config.kafka), ClickHouseModule.forRoot(config.clickhouse)],
    };
  }
}
