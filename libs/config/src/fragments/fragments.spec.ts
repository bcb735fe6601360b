import { describe, expect, it } from 'vitest';
import { loadConfig } from '../load-config.js';
import { clickhouseConfig } from './clickhouse-config.js';
import { kafkaConfig } from './kafka-config.js';
import { s3Config } from './s3-config.js';
import { serviceConfig } from './service-config.js';

// Defaults are the local stack's endpoints from the project conventions.
describe('config fragments', () => {
  it('kafka defaults and SASL', () => {
    expect(loadConfig(kafkaConfig({ clientId: 'etl' }), {})).toEqual({ brokers: ['127.0.0.1:9092'], clientId: 'etl', ssl: false, sasl: undefined });
    const withSasl = loadConfig(kafkaConfig(), { KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 'pw', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SSL: 'true' });
    expect(withSasl.clientId).toBe('kuroshio');
    expect(withSasl.ssl).toBe(true);
    expect(withSasl.sasl?.mechanism).toBe('plain');
    expect(withSasl.sasl?.password.reveal()).toBe('pw');
  });

  it('clickhouse defaults', () => {
    const config = loadConfig(clickhouseConfig(), {});
    expect({ ...config, password: config.password.reveal() }).toEqual({
      url: 'http://127.0.0.1:8123',
      database: 'kuroshio',
      username: 'default',
      password: '',
    });
    expect(() => loadConfig(clickhouseConfig(), { CLICKHOUSE_DATABASE: 'x; DROP' })).toThrow('CLICKHOUSE_DATABASE');
  });

  it('s3 defaults', () => {
    const config = loadConfig(s3Config(), {});
    expect({ ...config, secretKey: config.secretKey.reveal() }).toEqual({
      endpoint: 'http://127.0.0.1:8333',
      region: 'us-east-1',
      accessKey: 'kuroshio',
      secretKey: 'kuroshio-secret-key',
      buckets: { lake: 'kuroshio-lake', models: 'kuroshio-models' },
    });
  });

  it('service defaults bind loopback and take the service ports', () => {
    expect(loadConfig(serviceConfig({ name: 'inference', httpPort: 7006, grpcPort: 50056 }), {})).toEqual({
      name: 'inference',
      http: { host: '127.0.0.1', port: 7006 },
      grpc: { host: '127.0.0.1', port: 50056 },
      logLevel: 'info',
      shutdownTimeoutMs: 15_000,
      otel: { serviceName: 'inference', endpoint: undefined },
    });
  });

  it('a service without a gRPC default has no gRPC settings unless GRPC_PORT is set', () => {
    const etl = serviceConfig({ name: 'etl', httpPort: 7002 });
    expect(loadConfig(etl, {}).grpc).toBeUndefined();
    expect(loadConfig(etl, { GRPC_PORT: '50052', GRPC_HOST: '0.0.0.0' }).grpc).toEqual({ host: '0.0.0.0', port: 50052 });
  });
});
