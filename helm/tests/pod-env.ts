import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { named, type Manifest } from './chart-render.js';

/** Stand-in for a value held in a Secret the chart does not create (an existingSecret). */
export const externalSecretValue = (secret: string, key: string) => `external:${secret}/${key}`;

/** Stand-in content of a file mounted from a Secret the chart does not create. */
export type ExternalFiles = (secret: string, key: string) => string;

// What the downward API gives a pod of a Deployment.
const FIELD_VALUES: Record<string, string> = { 'metadata.name': 'kuroshio-pod-7d9f8b6c5-x2x4q', 'metadata.namespace': 'kuroshio' };

function decode(value: string): string {
  return Buffer.from(value, 'base64').toString('utf8');
}

/**
 * The environment the container of a Deployment starts with, resolved from the rendered ConfigMaps
 * and Secrets. Paths that point into a Secret volume are rewritten to copies of the mounted files
 * under `fileRoot`, so that a service config reading the file finds it.
 */
export function podEnvironment(manifests: readonly Manifest[], deployment: Manifest, fileRoot: string, externalFiles: ExternalFiles): Record<string, string> {
  const pod = deployment['spec'].template.spec;
  const container = pod.containers[0];
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) {
      const map = named(manifests, 'ConfigMap', source.configMapRef.name);
      if (!map) throw new Error(`envFrom names ConfigMap ${source.configMapRef.name}, which the chart does not render`);
      Object.assign(env, map['data']);
    }
    if (source.secretRef) {
      const secret = named(manifests, 'Secret', source.secretRef.name);
      for (const [key, value] of Object.entries<string>(secret?.['data'] ?? {})) env[key] = decode(value);
    }
  }
  for (const entry of container.env ?? []) {
    if (entry.value !== undefined) {
      // Kubernetes expands $(NAME) from variables defined before this one.
      env[entry.name] = String(entry.value).replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env[name] ?? whole);
      continue;
    }
    const field = entry.valueFrom?.fieldRef?.fieldPath;
    if (field !== undefined) {
      env[entry.name] = FIELD_VALUES[field] ?? `${deployment.metadata.name}-${field}`;
      continue;
    }
    const ref = entry.valueFrom?.secretKeyRef;
    if (!ref) throw new Error(`env ${entry.name}: only values, fieldRef and secretKeyRef are expected`);
    const secret = named(manifests, 'Secret', ref.name);
    if (!secret) {
      env[entry.name] = externalSecretValue(ref.name, ref.key);
    } else if (secret['data']?.[ref.key] !== undefined) {
      env[entry.name] = decode(secret['data'][ref.key]);
    } else if (!ref.optional) {
      throw new Error(`env ${entry.name}: Secret ${ref.name} has no key ${ref.key}`);
    }
  }
  for (const mount of container.volumeMounts ?? []) {
    const volume = pod.volumes.find((v: Manifest) => v['name'] === mount.name);
    if (volume?.configMap) {
      // A ConfigMap the chart renders (e.g. the trainer's retraining policies): its data as files.
      const map = named(manifests, 'ConfigMap', volume.configMap.name);
      if (!map) throw new Error(`volume ${mount.name} names ConfigMap ${volume.configMap.name}, which the chart does not render`);
      const items: Array<{ key: string; path: string }> = volume.configMap.items ?? [];
      for (const item of items) {
        const copy = join(fileRoot, mount.mountPath, item.path);
        mkdirSync(dirname(copy), { recursive: true });
        writeFileSync(copy, String(map['data'][item.key]));
      }
      for (const [key, value] of Object.entries(env)) {
        if (value.startsWith(`${mount.mountPath}/`)) env[key] = join(fileRoot, value);
      }
      continue;
    }
    if (!volume?.secret) continue;
    const secret = named(manifests, 'Secret', volume.secret.secretName);
    for (const item of volume.secret.items ?? []) {
      const content = secret ? decode(secret['data'][item.key]) : externalFiles(volume.secret.secretName, item.key);
      const copy = join(fileRoot, mount.mountPath, item.path);
      mkdirSync(dirname(copy), { recursive: true });
      writeFileSync(copy, content);
    }
    for (const [key, value] of Object.entries(env)) {
      if (value.startsWith(`${mount.mountPath}/`)) {
        const item = (volume.secret.items ?? []).find((i: { path: string }) => `${mount.mountPath}/${i.path}` === value);
        if (!item) throw new Error(`${key}=${value} names a file that volume ${mount.name} does not provide`);
        env[key] = join(fileRoot, value);
      }
    }
  }
  return env;
}
