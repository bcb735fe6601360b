/** Field names whose values never reach a log line, wherever they sit in a logged object. */
export const SECRET_LOG_FIELDS = [
  'password',
  'passwd',
  'secret',
  'secretKey',
  'clientSecret',
  'token',
  'accessToken',
  'refreshToken',
  'apiKey',
  'writeKey',
  'authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-line-signature',
] as const;

// pino's redaction matches fixed paths; four levels cover `{ password }`, `{ kafka: { password } }`,
// `{ req: { headers: { authorization } } }`. Deeper secrets must be wrapped in a config Secret.
const DEPTHS = ['', '*.', '*.*.', '*.*.*.'];

export function secretLogPaths(fields: readonly string[] = SECRET_LOG_FIELDS): string[] {
  return DEPTHS.flatMap((prefix) => fields.map((field) => `${prefix}${/^[A-Za-z_$][\w$]*$/.test(field) ? field : `["${field}"]`}`));
}
