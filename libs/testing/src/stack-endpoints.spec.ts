import { describe, expect, it } from 'vitest';
import { stackEndpoints } from './stack-endpoints.js';

describe('stackEndpoints', () => {
  it('defaults to the local stack', () => {
    const endpoints = stackEndpoints({});
    expect(endpoints.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(endpoints.clickhouse).toMatchObject({ url: 'http://127.0.0.1:8123', database: 'kuroshio', username: 'default' });
    expect(endpoints.clickhouse.password.reveal()).toBe('');
    expect(endpoints.s3).toMatchObject({ endpoint: 'http://127.0.0.1:8333', accessKey: 'kuroshio', region: 'us-east-1' });
    expect(endpoints.s3.secretKey.reveal()).toBe('kuroshio-secret-key');
    expect(endpoints.s3.buckets).toEqual({ lake: 'kuroshio-lake', models: 'kuroshio-models' });
  });

  it('follows the environment', () => {
    const endpoints = stackEndpoints({ KAFKA_BROKERS: 'k1:9092,k2:9092', CLICKHOUSE_URL: 'http://ch:8123', S3_ENDPOINT: 'https://s3.example' });
    expect(endpoints.kafka.brokers).toEqual(['k1:9092', 'k2:9092']);
    expect(endpoints.clickhouse.url).toBe('http://ch:8123');
    expect(endpoints.s3.endpoint).toBe('https://s3.example');
  });
});
