import { Module, type DynamicModule } from '@nestjs/common';
import { ClickHouseModule } from '@kuroshio/clickhouse';
import { KafkaModule } from '@kuroshio/kafka';
import { ObjectStoreModule } from '@kuroshio/object-store';
import type { ModelRegistryConfig } from './config.js';
import { RegistryMetrics } from './registry-metrics.js';
import { RegistryRuntime } from './registry-runtime.js';
import { ModelRegistryGrpcController } from './transport/model-registry.grpc.controller.js';

@Module({})
export class ModelRegistryModule {
  static forRoot(config: ModelRegistryConfig): DynamicModule {
    return {
      module: ModelRegistryModule,
      imports: [KafkaModule.forRoot(config.kafka), ClickHouseModule.forRoot(config.clickhouse), ObjectStoreModule.forRoot(config.s3)],
      controllers: [ModelRegistryGrpcController],
      providers: [RegistryMetrics, RegistryRuntime],
    };
  }
}
