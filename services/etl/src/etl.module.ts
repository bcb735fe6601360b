import { Module, type DynamicModule } from '@nestjs/common';
import { ClickHouseModule } from '@kuroshio/clickhouse';
import { KafkaModule } from '@kuroshio/kafka';
import { ObjectStoreModule } from '@kuroshio/object-store';
import type { EtlConfig } from './config.js';
import { RawEventsConsumer } from './transport/raw-events.consumer.js';

@Module({})
export class EtlModule {
  static forRoot(config: EtlConfig): DynamicModule {
    return {
      module: EtlModule,
      imports: [KafkaModule.forRoot(config.kafka), ClickHouseModule.forRoot(config.clickhouse), ObjectStoreModule.forRoot(config.s3)],
      providers: [RawEventsConsumer],
    };
  }
}
