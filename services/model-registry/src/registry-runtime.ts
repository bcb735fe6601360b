import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ClickHouseClient } from '@kuroshio/clickhouse';
import { ClickHouseChangeLog } from '@kuroshio/control-plane';
import { KafkaClient, type KafkaProducer } from '@kuroshio/kafka';
import { ObjectStore } from '@kuroshio/object-store';
import { ReadinessRegistry, SERVICE_CONFIG, SERVICE_LOGGER, type ReadinessCheck } from '@kuroshio/service-kit';
import type { Logger } from '@kuroshio/telemetry';
import { KafkaAliasChangePublisher } from './adapters/alias-change-publisher.js';
import { CHANGE_LOG_TABLE } from './adapters/change-rows.js';
import { S3ArtifactVerifier } from './adapters/s3-artifact-verifier.js';
import type { ModelRegistryConfig } from './config.js';
import { ModelRegistry } from './domain/model-registry.js';
import { RegistryMetrics } from './registry-metrics.js';

const FIRST_REBUILD_WAIT_MS = 5_000;

/**
 * Wires the plain registry to ClickHouse, S3 and Kafka, rebuilds its state from the change log at
 * start-up (retrying while ClickHouse is away; `/readyz` says `registry-state` is down until then)
 * and stops publishing on shutdown.
 */
@Injectable()
export class RegistryRuntime implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  readonly registry: ModelRegistry;
  readonly #publisher: KafkaAliasChangePublisher;
  readonly #producer: KafkaProducer;
  #stopping = false;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ModelRegistryConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    kafka: KafkaClient,
    clickhouse: ClickHouseClient,
    objects: ObjectStore,
    private readonly readiness: ReadinessRegistry,
    private readonly metrics: RegistryMetrics,
  ) {
    const settings = config.registry;
    const artifactBuckets = settings.artifactBuckets.length > 0 ? settings.artifactBuckets : [config.s3.buckets.models];
    this.#producer = kafka.producer({ deliveryTimeoutMs: 10_000 });
    this.#publisher = new KafkaAliasChangePublisher(
      this.#producer,
      settings.aliasChangesTopic,
      logger,
      settings.publishRetryMs,
    );
    this.registry = new ModelRegistry({
      log: new ClickHouseChangeLog(clickhouse, CHANGE_LOG_TABLE),
      aliasChanges: this.#publisher,
      artifacts: new S3ArtifactVerifier(objects, artifactBuckets),
      artifactBuckets,
      newEventId: randomUUID,
    });
  }

  onModuleInit(): void {
    const registry = this.registry;
    const state: ReadinessCheck = {
      name: 'registry-state',
      check: async () => {
        if (!registry.rebuilt) throw new Error('rebuilding the registry state from the change log');
      },
    };
    this.readiness.register(state);
    this.readiness.register(this.#producer);
    this.metrics.observe(this.registry, this.#publisher);
  }

  /** Gives the first rebuild a few seconds before the servers open, so a normal start is ready at once. */
  async onApplicationBootstrap(): Promise<void> {
    const rebuilt = this.#rebuildUntilDone();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([rebuilt, new Promise((resolve) => (timer = setTimeout(resolve, FIRST_REBUILD_WAIT_MS).unref()))]);
    clearTimeout(timer);
  }

  async onModuleDestroy(): Promise<void> {
    // A rebuild still retrying sees the flag after its current attempt; shutdown does not wait for it.
    this.#stopping = true;
    await this.#publisher.close();
  }

  async #rebuildUntilDone(): Promise<void> {
    const started = performance.now();
    while (!this.#stopping) {
      try {
        const seq = await this.registry.rebuild();
        this.logger.info({ changes: seq, ms: Math.round(performance.now() - started) }, 'registry state rebuilt from the change log');
        return;
      } catch (error) {
        this.logger.warn({ err: error, retryInMs: this.config.registry.rebuildRetryMs }, 'could not rebuild the registry state yet; retrying');
        await new Promise((resolve) => setTimeout(resolve, this.config.registry.rebuildRetryMs).unref());
      }
    }
  }
}
