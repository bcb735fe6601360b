import { Module, type DynamicModule } from '@nestjs/common';
import { ClickHouseModule } from '@kuroshio/clickhouse';
import { KafkaModule } from '@kuroshio/kafka';
import type { ExperimentConfig } from './config.js';
import { ExperimentMetrics } from './experiment-metrics.js';
import { ExperimentRuntime } from './experiment-runtime.js';
import { DashboardHttpController } from './transport/dashboard.http.controller.js';
import { ExperimentGrpcController } from './transport/experiment.grpc.controller.js';
import { ResultsHttpController } from './transport/results.http.controller.js';

@Module({})
export class ExperimentModule {
  static forRoot(config: ExperimentConfig): DynamicModule {
    return {
      module: ExperimentModule,
      imports: [KafkaModule.forRoot(config.kafka), ClickHouseModule.forRoot(config.clickhouse)],
      controllers: [ExperimentGrpcController, ResultsHttpController, DashboardHttpController],
      providers: [ExperimentMetrics, ExperimentRuntime],
    };
  }
}
