import { Module, type DynamicModule } from '@nestjs/common';
import { KafkaModule } from '@kuroshio/kafka';
import type { CollectorConfig } from './config.js';

@Module({})
export class CollectorModule {
  static forRoot(config: CollectorConfig): DynamicModule {
    return {
      module: CollectorModule,
      imports: [KafkaModule.forRoot(config.kafka)],
    };
  }
}
