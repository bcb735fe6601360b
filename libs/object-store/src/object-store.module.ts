import { Module, type DynamicModule } from '@nestjs/common';
import type { S3Settings } from '@kuroshio/config';
import { dependencyModule } from '@kuroshio/service-kit';
import { ObjectStore } from './object-store.js';

/** Provides the service's one `ObjectStore`, checked by `/readyz`. */
@Module({})
export class ObjectStoreModule {
  static forRoot(settings: S3Settings): DynamicModule {
    return dependencyModule({
      module: ObjectStoreModule,
      client: ObjectStore,
      create: () => new ObjectStore(settings),
      // The minio client keeps no connection that outlives a request.
      close: async () => undefined,
    });
  }
}
