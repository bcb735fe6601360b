import { createClient, ClickHouseLogLevel, type ClickHouseClient as DriverClient, type Logger as DriverLogger } from '@clickhouse/client';
import type { Secret } from '@kuroshio/config';
import type { StructuredLogger } from '@kuroshio/telemetry';
import { sqlIdentifier } from './sql-literal.js';
import type { Sql } from './sql-template.js';

/** Matches `ClickHouseSettings` from @kuroshio/config. */
export interface ClickHouseConnectionOptions {
  url: string;
  database: string;
  username: string;
  password: Secret;
}

export interface ClickHouseClientOptions extends ClickHouseConnectionOptions {
  logger: StructuredLogger;
  requestTimeoutMs?: number;
  /** Bound on the readiness probe. */
  checkTimeoutMs?: number;
}

export type ClickHouseRow = Record<string, unknown>;

/**
 * @clickhouse/client configured for both ClickHouse 18.16 and current servers: no query parameters
 * (18.16 has none; values are escaped into the `Sql` text instead), JSONEachRow both ways, 64-bit
 * integers quoted in JSON output on every server version, and no HTTP compression (both
 * generations accept gzip, but next to the server it only costs CPU).
 */
export class ClickHouseClient {
  readonly name = 'clickhouse';
  private readonly driver: DriverClient;

  constructor(private readonly options: ClickHouseClientOptions) {
    this.driver = createClient({
      url: options.url,
      database: options.database,
      username: options.username,
      password: options.password.reveal(),
      request_timeout: options.requestTimeoutMs ?? 30_000,
      compression: { request: false, response: false },
      // (U)Int64 as JSON strings, exact: 18.16's default, which ClickHouse 25.9 turned off.
      clickhouse_settings: { output_format_json_quote_64bit_integers: 1 },
      application: 'kuroshio',
      log: { LoggerClass: driverLoggerClass(options.logger), level: ClickHouseLogLevel.WARN },
    });
  }

  get database(): string {
    return this.options.database;
  }

  /** Rows as JSON objects; (U)Int64 values and `count()` arrive as strings, as JSON cannot hold them exactly. */
  async query<T = ClickHouseRow>(query: Sql): Promise<T[]> {
    const result = await this.driver.query({ query: query.text, format: 'JSONEachRow' });
    return result.json<T>();
  }

  async command(statement: Sql): Promise<void> {
    await this.driver.command({ query: statement.text });
  }

  /**
   * Inserts rows as JSONEachRow. Columns are named from the first row so that columns the rows
   * leave out take their DEFAULT expressions (18.16 would otherwise fill in zero values).
   */
  async insert<T extends object>(table: string, rows: readonly T[]): Promise<void> {
    const first = rows[0];
    if (!first) {
      return;
    }
    const [column, ...more] = Object.keys(first).map(sqlIdentifier);
    if (column === undefined) {
      throw new Error(`insert into ${table}: rows have no columns`);
    }
    await this.driver.insert({ table: sqlIdentifier(table), values: [...rows], format: 'JSONEachRow', columns: [column, ...more] });
  }

  /** Readiness: the server runs a query against the configured database before the timeout or `signal`. */
  async check(signal?: AbortSignal): Promise<void> {
    const deadline = AbortSignal.any([AbortSignal.timeout(this.options.checkTimeoutMs ?? 3_000), ...(signal ? [signal] : [])]);
    const result = await this.driver.query({ query: 'SELECT 1 AS ok', format: 'JSONEachRow', abort_signal: deadline });
    const rows = await result.json<{ ok: number }>();
    if (rows[0]?.ok !== 1) {
      throw new Error('clickhouse answered SELECT 1 with an unexpected result');
    }
  }

  close(): Promise<void> {
    return this.driver.close();
  }
}

function driverLoggerClass(logger: StructuredLogger): new () => DriverLogger {
  return class implements DriverLogger {
    trace(): void {
      // Per-request tracing is too chatty for the platform log.
    }
    debug({ module, message, args }: Parameters<DriverLogger['debug']>[0]): void {
      logger.debug({ component: 'clickhouse-client', module, ...args }, message);
    }
    info({ module, message, args }: Parameters<DriverLogger['info']>[0]): void {
      logger.debug({ component: 'clickhouse-client', module, ...args }, message);
    }
    warn({ module, message, args, err }: Parameters<DriverLogger['warn']>[0]): void {
      logger.warn({ component: 'clickhouse-client', module, err, ...args }, message);
    }
    // Every failed query also rejects to its caller, who decides whether it is an error worth a log line.
    error({ module, message, args, err }: Parameters<DriverLogger['error']>[0]): void {
      logger.debug({ component: 'clickhouse-client', module, err, ...args }, message);
    }
  };
}
