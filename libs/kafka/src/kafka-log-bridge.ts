import type { StructuredLogger } from '@kuroshio/telemetry';
import { logLevel, type LogEntry, type logCreator } from 'kafkajs';

/**
 * kafkajs logs every reconnect and rebalance at INFO with its own console format; routing it into
 * the platform logger keeps one log stream with one schema. Its INFO chatter becomes debug.
 */
export function kafkaLogCreator(logger: StructuredLogger): logCreator {
  return () => (entry: LogEntry) => {
    const { message, timestamp: _timestamp, error, ...rest } = entry.log;
    // pino serialises an Error only under `err`; kafkajs passes Errors and strings as `error`.
    const errorField = error instanceof Error ? { err: error } : error === undefined ? {} : { error };
    const fields = { component: 'kafkajs', namespace: entry.namespace, ...rest, ...errorField };
    switch (entry.level) {
      case logLevel.ERROR:
        logger.error(fields, message);
        return;
      case logLevel.WARN:
        logger.warn(fields, message);
        return;
      default:
        logger.debug(fields, message);
    }
  };
}
