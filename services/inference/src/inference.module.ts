import { Module, type DynamicModule } from '@nestjs/common';
import { KafkaModule } from '@kuroshio/kafka';
import { ObjectStoreModule } from '@kuroshio/object-store';
import type { InferenceConfig } from './config.js';

@Module({})
export class InferenceModule {
  static forRoot(config: InferenceConfig): DynamicModule {
    return {
      module: InferenceModule,
      imports: [KafkaModule.forRoot(config.kafka), ObjectStoreModule.forRoot(config.s3)],
    };
  }
}
