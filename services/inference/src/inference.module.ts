import { Module, type DynamicModule } from '@nestjs/common';
import { KafkaModule } from '@kuroshio/kafka';
import { ObjectStoreModule } from '@kuroshio/object-store';
import type { InferenceConfig } from './config.js';
import { InferenceRuntime } from './inference-runtime.js';
import { CALLER_AUTHENTICATION, PREDICTOR } from './inference-tokens.js';
import { InferenceGrpcController } from './transport/inference.grpc.controller.js';

@Module({})
export class InferenceModule {
  static forRoot(config: InferenceConfig): DynamicModule {
    return {
      module: InferenceModule,
      imports: [KafkaModule.forRoot(config.kafka), ObjectStoreModule.forRoot(config.s3)],
      controllers: [InferenceGrpcController],
      providers: [
        InferenceRuntime,
        { provide: PREDICTOR, inject: [InferenceRuntime], useFactory: (runtime: InferenceRuntime) => runtime.predictor },
        { provide: CALLER_AUTHENTICATION, inject: [InferenceRuntime], useFactory: (runtime: InferenceRuntime) => runtime.authenticate },
      ],
    };
  }
}
