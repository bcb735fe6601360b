import type { INestApplication } from '@nestjs/common';
import type { Logger } from '@kuroshio/telemetry';

export const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * SIGTERM/SIGINT: Nest closes the app (drain, `onModuleDestroy`, servers, `onApplicationShutdown`) and
 * exits 0. If that takes longer than `timeoutMs` (SHUTDOWN_TIMEOUT_MS), the process exits 1 anyway,
 * so an orchestrator never waits on a stuck client.
 */
export function exitOnShutdownSignals(app: INestApplication, timeoutMs: number, logger: Logger, exit: (code: number) => void = (code) => process.exit(code)): void {
  // useProcessExit: exit 0 after a clean close (the default re-raises the signal, which is exit 143/130).
  app.enableShutdownHooks([...SHUTDOWN_SIGNALS], { useProcessExit: true });
  for (const signal of SHUTDOWN_SIGNALS) {
    process.once(signal, () => {
      logger.info({ signal, timeoutMs }, 'shutting down');
      setTimeout(() => {
        logger.error({ timeoutMs }, 'shutdown did not finish within SHUTDOWN_TIMEOUT_MS; exiting');
        exit(1);
      }, timeoutMs);
    });
  }
}
