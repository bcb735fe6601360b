import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ConfigError } from './config-error.js';
import { composeConfig } from './compose-config.js';
import { envInt, envBoolean } from './env-values.js';
import { kafkaConfig } from './fragments/kafka-config.js';
import { serviceConfig } from './fragments/service-config.js';
import { exitOnConfigError, loadConfig, loadConfigOrExit, type ExitHooks } from './load-config.js';

const schema = composeConfig({
  service: serviceConfig({ name: 'collector', httpPort: 7001, grpcPort: 50051 }),
  kafka: kafkaConfig({ clientId: 'collector' }),
  app: z.object({ BATCH_SIZE: envInt({ min: 1 }), STRICT: envBoolean().default(true) }),
});

function problemsOf(env: Record<string, string>) {
  try {
    loadConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('parses a composed schema into a typed, nested config', () => {
    const config = loadConfig(schema, { BATCH_SIZE: '500', HTTP_PORT: '8001', KAFKA_BROKERS: 'k1:9092,k2:9092' });
    expect(config.app).toEqual({ BATCH_SIZE: 500, STRICT: true });
    expect(config.service.http).toEqual({ host: '127.0.0.1', port: 8001 });
    expect(config.kafka.brokers).toEqual(['k1:9092', 'k2:9092']);
  });

  it('lists every wrong or missing key, across fragments, not just the first', () => {
    const problems = problemsOf({ HTTP_PORT: 'eighty', KAFKA_SSL: 'yes', STRICT: 'maybe', KAFKA_SASL_USERNAME: 'svc' });
    expect(problems.map((p) => p.key).sort()).toEqual(['BATCH_SIZE', 'HTTP_PORT', 'KAFKA_SASL_PASSWORD', 'KAFKA_SSL', 'STRICT']);
    expect(problems.find((p) => p.key === 'BATCH_SIZE')?.reasons).toEqual(['missing (required)']);
    expect(problems.find((p) => p.key === 'HTTP_PORT')?.reasons).toEqual(['expected an integer']);
  });

  it('puts one line per key in the error message', () => {
    const error = (() => {
      try {
        loadConfig(schema, { HTTP_PORT: '-1', GRPC_PORT: '70000' });
      } catch (e) {
        return e as ConfigError;
      }
      return undefined;
    })();
    expect(error?.message.split('\n')).toEqual([
      'invalid configuration (3 keys):',
      '  HTTP_PORT: expected an integer >= 0',
      '  GRPC_PORT: expected an integer <= 65535',
      '  BATCH_SIZE: missing (required)',
    ]);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig(schema, { BATCH_SIZE: '1', HTTP_PORT: '' }).service.http.port).toBe(7001);
    expect(problemsOf({ BATCH_SIZE: '' }).map((p) => p.key)).toEqual(['BATCH_SIZE']);
  });

  it('never quotes a rejected value in the message (it may be a secret)', () => {
    const problems = problemsOf({ BATCH_SIZE: 'hunter2-not-a-number', LOG_LEVEL: 'hunter2' });
    expect(JSON.stringify(problems)).not.toContain('hunter2');
  });
});

describe('loadConfigOrExit', () => {
  function hooks() {
    const lines: string[] = [];
    const exit = vi.fn((code: number): never => {
      throw new Error(`exit ${code}`);
    });
    const h: ExitHooks = { writeError: (line) => lines.push(line), exit };
    return { lines, exit, h };
  }

  it('prints every bad key on its own line and exits 1', () => {
    const { lines, exit, h } = hooks();
    expect(() => loadConfigOrExit(schema, { KAFKA_BROKERS: 'nope', LOG_LEVEL: 'loud' }, h)).toThrow('exit 1');
    expect(exit).toHaveBeenCalledWith(1);
    expect(lines[0]).toBe('invalid configuration (3 keys):');
    expect(lines.slice(1).map((l) => l.trim().split(':')[0]).sort()).toEqual(['BATCH_SIZE', 'KAFKA_BROKERS', 'LOG_LEVEL']);
  });

  it('returns the config when it is valid', () => {
    const { exit, h } = hooks();
    expect(loadConfigOrExit(schema, { BATCH_SIZE: '2' }, h).app.BATCH_SIZE).toBe(2);
    expect(exit).not.toHaveBeenCalled();
  });

  it('rethrows errors that are not config errors', () => {
    const { h } = hooks();
    expect(() => exitOnConfigError(new TypeError('boom'), h)).toThrow(TypeError);
  });
});
