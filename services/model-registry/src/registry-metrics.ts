import { Injectable } from '@nestjs/common';
import { defineCounter, defineGauge, defineHistogram } from '@kuroshio/telemetry';
import type { KafkaAliasChangePublisher } from './adapters/alias-change-publisher.js';
import type { ModelRegistry } from './domain/model-registry.js';

// Gauges are process-wide (defineGauge hands back the registered one), so they read whichever
// registry the process runs now — tests start more than one in a process.
let observed: { registry: ModelRegistry; publisher: KafkaAliasChangePublisher } | undefined;

/** Prometheus series of the registry. */
@Injectable()
export class RegistryMetrics {
  readonly #requests = defineCounter<'method' | 'code'>({
    name: 'kuroshio_registry_requests_total',
    help: 'gRPC requests answered by the model registry, by method and status code',
    labelNames: ['method', 'code'],
  });
  readonly #duration = defineHistogram<'method'>({
    name: 'kuroshio_registry_request_duration_seconds',
    help: 'Time to answer a registry gRPC request (changes include the ClickHouse write)',
    labelNames: ['method'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
  });

  constructor() {
    defineGauge({
      name: 'kuroshio_registry_log_position',
      help: 'seq of the last change applied to the in-memory state',
      collect() {
        this.set(observed?.registry.lastSeq ?? 0);
      },
    });
    defineGauge({
      name: 'kuroshio_registry_mutation_queue_depth',
      help: 'Changes waiting for or holding the single writer',
      collect() {
        this.set(observed?.registry.queueDepth ?? 0);
      },
    });
    defineGauge({
      name: 'kuroshio_registry_alias_changes_unpublished',
      help: 'Alias changes recorded in the log but not yet acknowledged by Kafka',
      collect() {
        this.set(observed?.publisher.pending ?? 0);
      },
    });
  }

  observe(registry: ModelRegistry, publisher: KafkaAliasChangePublisher): void {
    observed = { registry, publisher };
  }

  request(method: string, code: string, seconds: number): void {
    this.#requests.inc({ method, code });
    this.#duration.observe({ method }, seconds);
  }
}
