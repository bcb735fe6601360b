import { logLevel } from 'kafkajs';
import { describe, expect, it, vi } from 'vitest';
import { kafkaLogCreator } from './kafka-log-bridge.js';

function recordingLogger() {
  return { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
}

describe('kafkaLogCreator', () => {
  const entry = (level: logLevel) => ({
    namespace: 'Connection',
    level,
    label: 'X',
    log: { timestamp: '2026-01-01T00:00:00Z', message: 'hello', broker: 'b:9092' },
  });

  it('maps kafkajs levels onto the platform logger, demoting INFO chatter to debug', () => {
    const logger = recordingLogger();
    const log = kafkaLogCreator(logger)(logLevel.INFO);
    log(entry(logLevel.ERROR));
    log(entry(logLevel.WARN));
    log(entry(logLevel.INFO));
    log(entry(logLevel.DEBUG));
    expect(logger.error).toHaveBeenCalledWith({ component: 'kafkajs', namespace: 'Connection', broker: 'b:9092' }, 'hello');
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.debug).toHaveBeenCalledTimes(2);
    expect(logger.info).not.toHaveBeenCalled();
  });

  it('hands Errors to the logger as err, where pino serialises them', () => {
    const logger = recordingLogger();
    const failure = new Error('boom');
    const log = kafkaLogCreator(logger)(logLevel.INFO);
    log({ ...entry(logLevel.ERROR), log: { timestamp: 't', message: 'crashed', error: failure } });
    log({ ...entry(logLevel.ERROR), log: { timestamp: 't', message: 'response', error: 'The coordinator is loading' } });
    expect(logger.error).toHaveBeenNthCalledWith(1, { component: 'kafkajs', namespace: 'Connection', err: failure }, 'crashed');
    expect(logger.error).toHaveBeenNthCalledWith(2, { component: 'kafkajs', namespace: 'Connection', error: 'The coordinator is loading' }, 'response');
  });
});
