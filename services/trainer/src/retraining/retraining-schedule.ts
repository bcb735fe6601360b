import type { Logger } from '@kuroshio/telemetry';
import type { RetrainingPolicy } from './retraining-policy.js';
import type { RetrainingRun } from './retraining-runner.js';

/**
 * Runs a cycle for every configured policy every `intervalMs`, one model after the other, never two
 * rounds at once (a round that trains may outlast the interval: the next starts when it ends). A
 * failed run is logged and retried next round. `stop` waits for the round in progress.
 */
export class RetrainingSchedule {
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;
  #stopped = false;

  constructor(
    private readonly policies: readonly RetrainingPolicy[],
    private readonly run: (policy: RetrainingPolicy) => Promise<RetrainingRun>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.intervalMs <= 0 || this.policies.length === 0) return;
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#round;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#round = this.#runRound().finally(() => this.#schedule());
    }, this.intervalMs);
    this.#timer.unref();
  }

  async #runRound(): Promise<void> {
    for (const policy of this.policies) {
      if (this.#stopped) return;
      try {
        const run = await this.run(policy);
        this.logger.info({ model: run.modelName, runId: run.runId, outcome: run.outcome, reasons: run.reasons }, 'retraining run');
      } catch (error) {
        this.logger.error({ model: policy.modelName, err: error }, 'retraining run failed');
      }
    }
  }
}
