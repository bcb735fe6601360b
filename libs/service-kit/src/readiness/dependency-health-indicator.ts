import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthCheckAttempt } from '@nestjs/terminus';
import type { ReadinessCheck } from './readiness-check.js';

/** The terminus health indicator for one dependency: up when its check resolves within the timeout. */
@Injectable()
export class DependencyHealthIndicator {
  constructor(private readonly indicators: HealthIndicatorService) {}

  isReady(dependency: ReadinessCheck, timeoutMs: number): HealthCheckAttempt {
    return this.indicators
      .check(dependency.name)
      .attempt(async ({ signal }) => {
        await dependency.check(signal);
      })
      .withTimeout(timeoutMs);
  }
}
