import { ClickHouseClient, type ClickHouseClientOptions } from './clickhouse-client.js';
import { pendingMigrations, readMigrationFiles, type AppliedMigration } from './migration-files.js';
import { dateTimeText } from './sql-literal.js';
import { ident, sql, trustedSql } from './sql-template.js';

export interface MigrationReport {
  database: string;
  applied: string[];
  alreadyApplied: number;
}

const HISTORY_TABLE = 'schema_migrations';

/**
 * Applies `NNNN_name.sql` files in order, each once, recording them in `schema_migrations`.
 * ClickHouse DDL is not transactional: a file that fails part-way is not recorded and is run
 * again from its first statement, so every statement must be idempotent (IF NOT EXISTS).
 * Run one migrator at a time (deploy step or `scripts/stack`), never from each service replica.
 */
export async function migrate(options: ClickHouseClientOptions, directory: string): Promise<MigrationReport> {
  const files = await readMigrationFiles(directory);
  await createDatabase(options);
  const client = new ClickHouseClient(options);
  try {
    await client.command(sql`
      CREATE TABLE IF NOT EXISTS ${ident(HISTORY_TABLE)} (
        version UInt32,
        name String,
        checksum String,
        applied_at DateTime('UTC')
      ) ENGINE = MergeTree() ORDER BY version`);
    const applied = await appliedMigrations(client);
    const pending = pendingMigrations(files, applied);
    for (const file of pending) {
      for (const statement of file.statements) {
        await client.command(trustedSql(statement));
      }
      await client.insert(HISTORY_TABLE, [
        { version: file.version, name: file.name, checksum: file.checksum, applied_at: dateTimeText(new Date()) },
      ]);
    }
    return { database: options.database, applied: pending.map((file) => file.fileName), alreadyApplied: applied.length };
  } finally {
    await client.close();
  }
}

async function createDatabase(options: ClickHouseClientOptions): Promise<void> {
  // The target database may not exist yet, so this statement runs against `default`.
  const server = new ClickHouseClient({ ...options, database: 'default' });
  try {
    await server.command(sql`CREATE DATABASE IF NOT EXISTS ${ident(options.database)}`);
  } finally {
    await server.close();
  }
}

async function appliedMigrations(client: ClickHouseClient): Promise<AppliedMigration[]> {
  const rows = await client.query<{ version: number; name: string; checksum: string }>(
    sql`SELECT version, name, checksum FROM ${ident(HISTORY_TABLE)} ORDER BY version`,
  );
  // Two migrators racing could record a version twice; the rows are identical, keep one.
  const byVersion = new Map<number, AppliedMigration>();
  for (const row of rows) {
    byVersion.set(Number(row.version), { version: Number(row.version), name: row.name, checksum: row.checksum });
  }
  return [...byVersion.values()];
}
