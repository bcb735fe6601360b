import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { PinoNestLogger } from './pino-nest-logger.js';
import { captureLogLines } from './testing/captured-logs.js';

function nestLogger(level: 'trace' | 'info' = 'trace') {
  const capture = captureLogLines();
  return { ...capture, logger: new PinoNestLogger(createLogger({ service: 'svc', level, destination: capture.destination })) };
}

describe('PinoNestLogger', () => {
  it('maps Nest levels and contexts onto pino', () => {
    const { logger, lines } = nestLogger();
    logger.log('Nest application successfully started', 'NestApplication');
    logger.verbose('mapped route', 'RouterExplorer');
    logger.warn('slow');
    expect(lines).toMatchObject([
      { level: 'info', msg: 'Nest application successfully started', context: 'NestApplication', service: 'svc' },
      { level: 'trace', msg: 'mapped route', context: 'RouterExplorer' },
      { level: 'warn', msg: 'slow' },
    ]);
    expect(lines[2]).not.toHaveProperty('context');
  });

  it('keeps the stack of errors apart from the context', () => {
    const { logger, lines } = nestLogger();
    const error = new Error('boom');
    logger.error('handler failed', error.stack, 'ExceptionsHandler');
    logger.error('no context', error.stack);
    logger.error(error);
    expect(lines[0]).toMatchObject({ level: 'error', msg: 'handler failed', context: 'ExceptionsHandler' });
    expect(lines[0]?.['stack']).toContain('Error: boom');
    expect(lines[1]).not.toHaveProperty('context');
    expect(lines[1]?.['stack']).toContain('Error: boom');
    expect(lines[2]).toMatchObject({ msg: 'boom', err: { message: 'boom', type: 'Error' } });
  });

  it('follows the level set through Nest', () => {
    const { logger, lines } = nestLogger('info');
    logger.debug('hidden');
    logger.setLogLevels(['error', 'warn', 'log', 'debug']);
    logger.debug('shown');
    expect(lines.map((l) => l['msg'])).toEqual(['shown']);
  });
});
