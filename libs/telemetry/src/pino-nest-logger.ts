import type { LoggerService, LogLevel } from '@nestjs/common';
import type { Level, Logger } from 'pino';

const NEST_TO_PINO: Record<LogLevel, Level> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/** Routes Nest's own logging (`Logger`, framework messages) through the pino logger. */
export class PinoNestLogger implements LoggerService {
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  log(message: unknown, ...optional: unknown[]): void {
    this.write('log', message, optional);
  }

  error(message: unknown, ...optional: unknown[]): void {
    this.write('error', message, optional);
  }

  warn(message: unknown, ...optional: unknown[]): void {
    this.write('warn', message, optional);
  }

  debug(message: unknown, ...optional: unknown[]): void {
    this.write('debug', message, optional);
  }

  verbose(message: unknown, ...optional: unknown[]): void {
    this.write('verbose', message, optional);
  }

  fatal(message: unknown, ...optional: unknown[]): void {
    this.write('fatal', message, optional);
  }

  setLogLevels(levels: LogLevel[]): void {
    const mostVerbose = (['verbose', 'debug', 'log', 'warn', 'error', 'fatal'] as const).find((l) => levels.includes(l));
    this.#logger.level = mostVerbose === undefined ? 'silent' : NEST_TO_PINO[mostVerbose];
  }

  // Nest calls `logger.error(message, stack?, context?)` and `logger.log(message, ...params, context?)`:
  // a trailing string that is not a stack trace is the context (usually a class name).
  private write(level: LogLevel, message: unknown, optional: unknown[]): void {
    const params = optional.filter((p) => p !== undefined);
    const last = params.at(-1);
    const context = typeof last === 'string' && !isStackTrace(last) ? (params.pop() as string) : undefined;
    const stack = params.find((p): p is string => typeof p === 'string' && isStackTrace(p));
    const rest = params.filter((p) => p !== stack);
    const fields: Record<string, unknown> = {};
    if (context !== undefined) fields['context'] = context;
    if (stack !== undefined) fields['stack'] = stack;
    if (rest.length > 0) fields['params'] = rest;
    const pinoLevel = NEST_TO_PINO[level];
    if (message instanceof Error) this.#logger[pinoLevel]({ ...fields, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.#logger[pinoLevel]({ ...fields, ...message });
    else this.#logger[pinoLevel](fields, String(message));
  }
}

function isStackTrace(text: string): boolean {
  return /\n\s+at /.test(text);
}
