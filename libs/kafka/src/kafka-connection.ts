import type { ConnectionOptions } from 'node:tls';
import type { Secret } from '@kuroshio/config';

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

export type KafkaSasl = { mechanism: SaslMechanism; username: string; password: Secret };

/** How to reach a cluster. `KafkaSettings` from @kuroshio/config satisfies it. */
export interface KafkaConnectionOptions {
  brokers: readonly string[];
  clientId: string;
  /** `true` for TLS with the system CAs, or node TLS options for a private CA / mTLS. */
  ssl?: boolean | ConnectionOptions;
  sasl?: KafkaSasl | undefined;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}
