import type { ReadinessCheck } from '@kuroshio/service-kit';

/**
 * Readiness of the pipeline itself: down from a batch whose sinks failed until a batch gets through,
 * so an orchestrator sees the ETL stalled even when every dependency answers its own probe.
 */
export class SinkHealth implements ReadinessCheck {
  readonly name = 'etl-sinks';
  private failure: string | undefined;

  failed(reason: string): void {
    this.failure = reason;
  }

  succeeded(): void {
    this.failure = undefined;
  }

  async check(): Promise<void> {
    if (this.failure !== undefined) throw new Error(this.failure);
  }
}
