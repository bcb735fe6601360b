import { stackEndpoints } from '@kuroshio/testing';

// The e2e tier sees ClickHouse as any client would: its HTTP interface. Queries are fixed text; the
// run's database travels as the `database` URL parameter, so nothing is spliced into SQL except the
// database name in CREATE/DROP, which is checked against a plain-identifier pattern first.
const IDENTIFIER = /^[a-z][a-z0-9_]*$/;

async function post(statement: string, database: string | undefined): Promise<string> {
  const { url, username, password } = stackEndpoints().clickhouse;
  const target = new URL(url);
  if (database !== undefined) target.searchParams.set('database', database);
  const response = await fetch(target, {
    method: 'POST',
    body: statement,
    headers: { authorization: `Basic ${Buffer.from(`${username}:${password.reveal()}`).toString('base64')}` },
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`ClickHouse ${response.status} for "${statement.slice(0, 80)}": ${text.slice(0, 500)}`);
  return text;
}

/** Rows of a SELECT in the run's database, as JSON objects (64-bit integers arrive as strings). */
export async function warehouseRows<T = Record<string, unknown>>(database: string, select: string): Promise<T[]> {
  const text = await post(`${select} FORMAT JSONEachRow`, database);
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as T);
}

export async function warehouseCommand(database: string, statement: string): Promise<void> {
  await post(statement, database);
}

export async function dropDatabase(database: string): Promise<void> {
  if (!IDENTIFIER.test(database)) throw new Error(`refusing to drop "${database}": not a plain identifier`);
  await post(`DROP DATABASE IF EXISTS \`${database}\``, undefined);
}
