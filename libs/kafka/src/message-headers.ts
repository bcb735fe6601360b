import type { IHeaders } from 'kafkajs';

/**
 * Platform headers are UTF-8 text (traceparent, content type, schema version). A header repeated
 * on one record resolves to its last value, as the Java client's `lastHeader` does.
 */
export function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const decoded: Record<string, string> = {};
  if (!headers) {
    return decoded;
  }
  for (const [name, raw] of Object.entries(headers)) {
    const last = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (last === undefined) {
      continue;
    }
    decoded[name] = typeof last === 'string' ? last : last.toString('utf8');
  }
  return decoded;
}
