import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CHART = `${ROOT}helm/kuroshio`;
export const HELM = process.env['HELM'] ?? `${ROOT}.tools/bin/helm`;
export const PYTHON = process.env['HELM_CHECK_PYTHON'] ?? `${ROOT}.tools/venv/bin/python`;
/** The Kubernetes version helm renders for; schema validation covers the chart's whole range. */
export const RENDER_KUBE_VERSION = '1.37.0';

export const SERVICES = ['collector', 'etl', 'feature-store', 'trainer', 'model-registry', 'inference', 'experiment'] as const;
export type ServiceName = (typeof SERVICES)[number];

export const VALUE_SETS = {
  default: [] as string[],
  production: [`${CHART}/values-production.yaml`],
} as const;
export type ValueSet = keyof typeof VALUE_SETS;

// Manifests are loosely typed on purpose: the tests read the fields they check.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; [key: string]: any };

export interface HelmResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function helm(args: readonly string[]): HelmResult {
  const result = spawnSync(HELM, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `helm template` with the value files and `--set` overrides; the raw YAML and its documents. */
export function template(valueFiles: readonly string[], sets: readonly string[] = []): HelmResult {
  return helm([
    'template', 'kuroshio', CHART,
    '--namespace', 'kuroshio',
    '--kube-version', RENDER_KUBE_VERSION,
    ...valueFiles.flatMap((file) => ['-f', file]),
    ...sets.flatMap((set) => ['--set', set]),
  ]);
}

export function render(valueFiles: readonly string[], sets: readonly string[] = []): { yaml: string; manifests: Manifest[] } {
  const result = template(valueFiles, sets);
  if (result.status !== 0) throw new Error(`helm template failed:\n${result.stderr}`);
  // YAML 1.1 as Kubernetes reads it (0440 is octal there).
  const manifests = parseAllDocuments(result.stdout, { version: '1.1' })
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((doc): doc is Manifest => doc !== null);
  return { yaml: result.stdout, manifests };
}

export function ofKind(manifests: readonly Manifest[], kind: string): Manifest[] {
  return manifests.filter((m) => m.kind === kind);
}

export function named(manifests: readonly Manifest[], kind: string, name: string): Manifest | undefined {
  return manifests.find((m) => m.kind === kind && m.metadata.name === name);
}

export function componentOf(manifest: Manifest): ServiceName {
  return manifest.metadata.labels?.['app.kubernetes.io/component'] as ServiceName;
}

export function readRepoFile(path: string): string {
  return readFileSync(`${ROOT}${path}`, 'utf8');
}

/** Lowest Kubernetes version the chart declares (Chart.yaml kubeVersion ">=1.29.0-0" -> "1.29"). */
export function chartKubeFloor(): string {
  const match = /^kubeVersion:\s*"?>=\s*(\d+\.\d+)/m.exec(readRepoFile('helm/kuroshio/Chart.yaml'));
  if (!match) throw new Error('Chart.yaml declares no kubeVersion floor');
  return match[1]!;
}
