/**
 * One dependency the service needs before it can take traffic (Kafka, ClickHouse, S3...). `check`
 * resolves when the dependency answers and rejects with the reason otherwise; it should give up when
 * `signal` aborts (the readiness timeout), though a check that ignores it is still cut off.
 */
export interface ReadinessCheck {
  readonly name: string;
  check(signal?: AbortSignal): Promise<void>;
}

export type DependencyStatus = 'up' | 'down';

export interface ReadinessReport {
  /** `shutting_down` once a shutdown has begun: the instance is draining and takes no new work. */
  readonly status: 'ok' | 'error' | 'shutting_down';
  readonly checks: Readonly<Record<string, DependencyStatus>>;
  /** Why each failing dependency failed; absent when every check passed. */
  readonly errors?: Readonly<Record<string, string>>;
}
