import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import { REDACTED } from '@kuroshio/config';
import { secretLogPaths } from './log-redaction.js';
import { activeTraceFields } from './trace-log-fields.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  readonly service: string;
  readonly level?: Level | 'silent';
  /** Where lines go; stdout (synchronously) when omitted. Tests pass a stream to read lines back. */
  readonly destination?: DestinationStream;
  /** Extra field names to redact, in addition to the shared list. */
  readonly redactFields?: readonly string[];
}

/** The one logger: JSON lines with `service`, `trace_id`/`span_id` of the active span, secrets redacted. */
export function createLogger(options: LoggerOptions): Logger {
  const paths = [...secretLogPaths(), ...secretLogPaths(options.redactFields ?? [])];
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: activeTraceFields,
      redact: { paths, censor: REDACTED },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/**
 * The slice of the logger that libraries write to; a pino `Logger` satisfies it, so libraries take
 * one of these instead of creating a logger of their own.
 */
export interface StructuredLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}
