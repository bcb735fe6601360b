import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import type { ReadinessReport } from '../readiness/readiness-check.js';

/**
 * The standard `grpc.health.v1.Health` service, answering for the whole server ('') and for each
 * served service by name. It follows readiness: SERVING only while every dependency check passes.
 */
export class GrpcHealthStatus {
  readonly implementation = new HealthImplementation({ '': 'NOT_SERVING' });
  #services: readonly string[] = [''];
  #status: ServingStatus = 'NOT_SERVING';

  /** Starts answering for these fully-qualified service names as well as ''. */
  answerFor(serviceNames: readonly string[]): void {
    this.#services = ['', ...serviceNames];
    this.set(this.#status);
  }

  follow(report: ReadinessReport): void {
    this.set(report.status === 'ok' ? 'SERVING' : 'NOT_SERVING');
  }

  private set(status: ServingStatus): void {
    this.#status = status;
    for (const service of this.#services) this.implementation.setStatus(service, status);
  }
}
