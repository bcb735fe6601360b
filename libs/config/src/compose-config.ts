import { z } from 'zod';

/**
 * Builds one service schema from named fragments, each of which reads the whole environment:
 * `composeConfig({ service: serviceConfig(...), kafka: kafkaConfig(...) })` parses to
 * `{ service: {...}, kafka: {...} }`, and a failure reports the issues of every fragment at once.
 */
export function composeConfig<const P extends Record<string, z.ZodType>>(parts: P) {
  const names = Object.keys(parts);
  return z.preprocess((env) => Object.fromEntries(names.map((name) => [name, env])), z.object(parts));
}
