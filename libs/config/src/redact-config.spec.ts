import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { composeConfig } from './compose-config.js';
import { clickhouseConfig } from './fragments/clickhouse-config.js';
import { kafkaConfig } from './fragments/kafka-config.js';
import { s3Config } from './fragments/s3-config.js';
import { loadConfig } from './load-config.js';
import { redactConfig } from './redact-config.js';
import { REDACTED } from './secret.js';

const schema = composeConfig({ kafka: kafkaConfig(), clickhouse: clickhouseConfig(), s3: s3Config() });

function renderings(value: unknown): string[] {
  return [JSON.stringify(value), inspect(value, { depth: 20, showHidden: true }), String(value)];
}

// Text that the rendered config contains anyway (keys, defaults, indentation) proves nothing, so a
// generated secret must not already occur in a rendering made with placeholder secrets.
const baseline = loadConfig(schema, { KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 'x', CLICKHOUSE_PASSWORD: 'x', S3_SECRET_KEY: 'x' });
const baselineText = [baseline, redactConfig(baseline)].flatMap(renderings).join('\n');
const secretValue = fc
  .string({ minLength: 6, maxLength: 64, unit: 'grapheme' })
  .filter((s) => !baselineText.includes(s) && !baselineText.includes(JSON.stringify(s).slice(1, -1)));

function leaks(rendered: string, secretText: string): boolean {
  const jsonEscaped = JSON.stringify(secretText).slice(1, -1);
  return rendered.includes(secretText) || rendered.includes(jsonEscaped);
}

describe('redactConfig', () => {
  it('never leaks a generated secret through JSON.stringify or util.inspect', () => {
    fc.assert(
      fc.property(secretValue, secretValue, secretValue, (kafkaPw, clickhousePw, s3Key) => {
        const config = loadConfig(schema, {
          KAFKA_SASL_USERNAME: 'svc',
          KAFKA_SASL_PASSWORD: kafkaPw,
          CLICKHOUSE_PASSWORD: clickhousePw,
          S3_SECRET_KEY: s3Key,
        });
        expect(config.kafka.sasl?.password.reveal()).toBe(kafkaPw);
        // Both the redacted view and the raw config (Secret hides itself) are safe to log.
        for (const rendered of [...renderings(redactConfig(config)), ...renderings(config)]) {
          for (const secretText of [kafkaPw, clickhousePw, s3Key]) expect(leaks(rendered, secretText)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('replaces secrets with [redacted] and keeps everything else', () => {
    const redacted = redactConfig(loadConfig(schema, { CLICKHOUSE_PASSWORD: 'pw' }));
    expect(redacted.clickhouse).toEqual({ url: 'http://127.0.0.1:8123', database: 'kuroshio', username: 'default', password: REDACTED });
    expect(redacted.s3.secretKey).toBe(REDACTED);
    expect(redacted.kafka.brokers).toEqual(['127.0.0.1:9092']);
  });

  it('masks a password embedded in a URL', () => {
    expect(redactConfig({ url: 'http://user:pa55@ch:8123/db' })).toEqual({ url: `http://user:${REDACTED}@ch:8123/db` });
    expect(redactConfig({ url: 'http://ch:8123/?a=b@c' })).toEqual({ url: 'http://ch:8123/?a=b@c' });
  });
});
