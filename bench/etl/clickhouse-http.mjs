// Minimal ClickHouse HTTP calls for the benchmark (SQL text built from identifiers the benchmark
// generates itself: [a-z0-9_] only, checked below).
export function clickhouse(env) {
  const url = env.CLICKHOUSE_URL;
  const auth = { 'X-ClickHouse-User': env.CLICKHOUSE_USER, 'X-ClickHouse-Key': env.CLICKHOUSE_PASSWORD };
  const run = async (statement, database) => {
    const target = new URL(url);
    if (database) target.searchParams.set('database', database);
    const response = await fetch(target, { method: 'POST', body: statement, headers: auth });
    const text = await response.text();
    if (!response.ok) throw new Error(`ClickHouse: ${text.trim().slice(0, 500)}\n-- ${statement.slice(0, 300)}`);
    return text;
  };
  return {
    run,
    async number(statement, database) {
      return Number((await run(statement, database)).trim());
    },
  };
}

export function safeName(name) {
  if (!/^[a-z0-9_.-]+$/.test(name)) throw new Error(`unsafe name ${name}`);
  return name;
}
