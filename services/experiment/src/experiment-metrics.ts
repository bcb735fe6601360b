import { Injectable } from '@nestjs/common';
import { defineCounter, defineGauge, defineHistogram } from '@kuroshio/telemetry';
import type { ExperimentCatalog } from './domain/experiment-catalog.js';

// Gauges are process-wide (defineGauge hands back the registered one), so they read whichever
// catalog the process runs now — tests start more than one in a process.
let observed: ExperimentCatalog | undefined;

/** Prometheus series of the experiment service. */
@Injectable()
export class ExperimentMetrics {
  readonly #requests = defineCounter<'method' | 'code'>({
    name: 'kuroshio_experiment_requests_total',
    help: 'Requests answered by the experiment service (gRPC and HTTP), by method and status code',
    labelNames: ['method', 'code'],
  });
  readonly #duration = defineHistogram<'method'>({
    name: 'kuroshio_experiment_request_duration_seconds',
    help: 'Time to answer an experiment request (GetResults includes the ClickHouse aggregation)',
    labelNames: ['method'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });
  readonly assignments = defineCounter<'status'>({
    name: 'kuroshio_experiment_assignments_total',
    help: 'Assign answers by assignment status',
    labelNames: ['status'],
  });

  constructor() {
    defineGauge({
      name: 'kuroshio_experiment_log_position',
      help: 'seq of the last change applied to the in-memory state',
      collect() {
        this.set(observed?.lastSeq ?? 0);
      },
    });
    defineGauge({
      name: 'kuroshio_experiment_mutation_queue_depth',
      help: 'Changes waiting for or holding the single writer',
      collect() {
        this.set(observed?.queueDepth ?? 0);
      },
    });
  }

  observe(catalog: ExperimentCatalog): void {
    observed = catalog;
  }

  /** Counts and times one request, whatever its outcome. */
  async timed<T>(method: string, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    let code = 'OK';
    try {
      return await run();
    } catch (error) {
      code = (error as { code?: string }).code ?? 'UNKNOWN';
      throw error;
    } finally {
      this.#requests.inc({ method, code });
      this.#duration.observe({ method }, (performance.now() - started) / 1000);
    }
  }
}
