import { Module, type DynamicModule } from '@nestjs/common';
import type { ClickHouseSettings } from '@kuroshio/config';
import { dependencyModule } from '@kuroshio/service-kit';
import { ClickHouseClient } from './clickhouse-client.js';

/** Provides the service's one `ClickHouseClient`, checked by `/readyz` and closed on shutdown. */
@Module({})
export class ClickHouseModule {
  static forRoot(settings: ClickHouseSettings): DynamicModule {
    return dependencyModule({
      module: ClickHouseModule,
      client: ClickHouseClient,
      create: (logger) => new ClickHouseClient({ ...settings, logger }),
      close: (client) => client.close(),
    });
  }
}
