import { Inject, Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import type { ReadinessReport } from './readiness-check.js';
import { DependencyHealthIndicator } from './dependency-health-indicator.js';
import { READINESS_OPTIONS, type ReadinessOptions } from './readiness-options.js';
import { ReadinessRegistry } from './readiness-registry.js';

type ReadinessListener = (report: ReadinessReport) => void;

/**
 * Evaluates every registered check concurrently (through terminus) and tells listeners (gRPC health)
 * about each result. Logs only transitions, because probes ask every few seconds.
 */
@Injectable()
export class ReadinessService {
  readonly #logger = new Logger('Readiness');
  readonly #listeners = new Set<ReadinessListener>();
  #last: ReadinessReport | undefined;
  #shuttingDown = false;

  constructor(
    private readonly registry: ReadinessRegistry,
    private readonly health: HealthCheckService,
    private readonly indicator: DependencyHealthIndicator,
    @Inject(READINESS_OPTIONS) private readonly options: ReadinessOptions,
  ) {}

  async evaluate(): Promise<ReadinessReport> {
    const report = this.#shuttingDown ? this.shuttingDownReport() : await this.runChecks();
    // A shutdown that began while the checks ran wins over their result.
    this.publish(this.#shuttingDown ? this.shuttingDownReport() : report);
    return this.#last ?? report;
  }

  /** From now on the instance reports not ready: it is draining for shutdown. */
  markShuttingDown(): void {
    this.#shuttingDown = true;
    this.publish(this.shuttingDownReport());
  }

  onReport(listener: ReadinessListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  private async runChecks(): Promise<ReadinessReport> {
    const indicators = this.registry.all().map((dependency) => () => this.indicator.isReady(dependency, this.options.timeoutMs));
    try {
      return toReport(await this.health.check(indicators));
    } catch (error) {
      if (error instanceof ServiceUnavailableException) return toReport(error.getResponse() as HealthCheckResult);
      throw error;
    }
  }

  private shuttingDownReport(): ReadinessReport {
    return { status: 'shutting_down', checks: this.#last?.checks ?? {} };
  }

  private publish(report: ReadinessReport): void {
    const previous = this.#last;
    this.#last = report;
    if (previous?.status !== report.status || JSON.stringify(previous.errors) !== JSON.stringify(report.errors)) {
      if (report.status === 'error') this.#logger.warn({ msg: 'not ready', checks: report.checks, errors: report.errors });
      else this.#logger.log({ msg: report.status === 'ok' ? 'ready' : 'shutting down: not ready', checks: report.checks });
    }
    for (const listener of this.#listeners) listener(report);
  }
}

function toReport(result: HealthCheckResult): ReadinessReport {
  const checks: Record<string, 'up' | 'down'> = {};
  const errors: Record<string, string> = {};
  for (const [name, detail] of Object.entries(result.details)) {
    const up = detail.status === 'up' || detail.status === 'degraded';
    checks[name] = up ? 'up' : 'down';
    if (!up) errors[name] = typeof detail['message'] === 'string' ? detail['message'] : 'check failed';
  }
  const status = result.status === 'shutting_down' ? 'shutting_down' : result.status === 'error' ? 'error' : 'ok';
  return Object.keys(errors).length === 0 ? { status, checks } : { status, checks, errors };
}
