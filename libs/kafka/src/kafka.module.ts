import { Module, type DynamicModule } from '@nestjs/common';
import type { KafkaSettings } from '@kuroshio/config';
import { dependencyModule } from '@kuroshio/service-kit';
import { KafkaClient } from './kafka-client.js';

/** Provides the service's one `KafkaClient`, checked by `/readyz` and drained on shutdown. */
@Module({})
export class KafkaModule {
  static forRoot(settings: KafkaSettings): DynamicModule {
    return dependencyModule({
      module: KafkaModule,
      client: KafkaClient,
      create: (logger) => new KafkaClient({ ...settings, logger }),
      close: (client) => client.disconnect(),
    });
  }
}
