import { composeConfig, serviceConfig } from '@kuroshio/config';
import type { z } from 'zod';
import { readRepoFile, type ServiceName } from './chart-render.js';

/** Ports a service binds by default, read from its main.ts (what bootstrapService is given). */
export function servicePorts(name: ServiceName): { http: number; grpc: number | undefined } {
  const main = readRepoFile(`services/${name}/src/main.ts`);
  const http = /httpPort:\s*(\d+)/.exec(main);
  if (!http) throw new Error(`services/${name}/src/main.ts names no httpPort`);
  const grpc = /grpcServiceOptions\(\s*'[^']+'\s*,\s*(\d+)\s*\)/.exec(main);
  return { http: Number(http[1]), grpc: grpc ? Number(grpc[1]) : undefined };
}

/** The whole config schema of a service, built as bootstrapService builds it. */
export async function serviceSchema(name: ServiceName): Promise<z.ZodType> {
  const module = (await import(`../../services/${name}/src/config.ts`)) as Record<string, unknown>;
  const parts = Object.entries(module).find(([key]) => key.endsWith('ConfigParts'))?.[1] as Record<string, z.ZodType> | undefined;
  if (parts === undefined) throw new Error(`services/${name}/src/config.ts exports no *ConfigParts`);
  const ports = servicePorts(name);
  return composeConfig({
    service: serviceConfig({ name, httpPort: ports.http, ...(ports.grpc === undefined ? {} : { grpcPort: ports.grpc }) }),
    ...parts,
  });
}

/**
 * Names of the environment variables a schema reads: it is parsed against an empty environment that
 * records every property asked for. (Variables named inside values, such as a source's
 * lineChannelSecretEnv, are not seen: they come from a Secret the chart passes whole.)
 */
export function variablesRead(schema: z.ZodType): Set<string> {
  const read = new Set<string>();
  const record = (key: string | symbol) => {
    if (typeof key === 'string' && /^[A-Z][A-Z0-9_]*$/.test(key)) read.add(key);
  };
  const env = new Proxy({} as Record<string, string>, {
    get: (_target, key) => {
      record(key);
      return undefined;
    },
    has: (_target, key) => {
      record(key);
      return false;
    },
  });
  schema.safeParse(env);
  return read;
}
