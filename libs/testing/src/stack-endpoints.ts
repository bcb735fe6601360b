import {
  clickhouseConfig,
  composeConfig,
  kafkaConfig,
  loadConfig,
  s3Config,
  type ClickHouseSettings,
  type Env,
  type KafkaSettings,
  type S3Settings,
} from '@kuroshio/config';

export interface StackEndpoints {
  kafka: KafkaSettings;
  clickhouse: ClickHouseSettings;
  s3: S3Settings;
}

/**
 * The local stack's endpoints, read from the same variables and with the same defaults as the
 * services (KAFKA_BROKERS, CLICKHOUSE_*, S3_*), so tests can also target an external stack.
 */
export function stackEndpoints(env: Env = process.env): StackEndpoints {
  return loadConfig(
    composeConfig({
      kafka: kafkaConfig({ clientId: 'kuroshio-tests' }),
      clickhouse: clickhouseConfig(),
      s3: s3Config(),
    }),
    env,
  );
}
