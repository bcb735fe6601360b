/**
 * Paths a JSON Schema marks `"x-pii": true`, relative to the value it describes: object members
 * joined by `.`, array items as `*` (`beneficiary.name`, `payees.*.accountNumber`) — the tokenizer's path syntax.
 */
export function piiPathsOfSchema(schema: unknown): string[] {
  const paths: string[] = [];
  const walk = (node: unknown, at: string): void => {
    if (typeof node !== 'object' || node === null) return;
    const element = node as { 'x-pii'?: unknown; properties?: Record<string, unknown>; items?: unknown };
    if (element['x-pii'] === true && at !== '') {
      paths.push(at);
      return;
    }
    for (const [key, child] of Object.entries(element.properties ?? {})) walk(child, at === '' ? key : `${at}.${key}`);
    if (element.items !== undefined) walk(element.items, at === '' ? '*' : `${at}.*`);
  };
  walk(schema, '');
  return paths;
}
