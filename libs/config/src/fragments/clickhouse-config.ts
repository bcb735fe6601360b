import { z } from 'zod';
import { envUrl } from '../env-values.js';
import { Secret, secret } from '../secret.js';

export interface ClickHouseSettings {
  readonly url: string;
  readonly database: string;
  readonly username: string;
  readonly password: Secret;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** CLICKHOUSE_* variables with the local-stack defaults. */
export function clickhouseConfig() {
  return z
    .object({
      CLICKHOUSE_URL: envUrl().default('http://127.0.0.1:8123'),
      CLICKHOUSE_DATABASE: z.string().regex(IDENTIFIER, { error: 'expected a plain identifier ([A-Za-z_][A-Za-z0-9_]*)' }).default('kuroshio'),
      CLICKHOUSE_USER: z.string().default('default'),
      CLICKHOUSE_PASSWORD: secret(z.string().default('')),
    })
    .transform(
      (env): ClickHouseSettings => ({
        url: env.CLICKHOUSE_URL,
        database: env.CLICKHOUSE_DATABASE,
        username: env.CLICKHOUSE_USER,
        password: env.CLICKHOUSE_PASSWORD,
      }),
    );
}
