import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHART, PYTHON, ROOT, VALUE_SETS, chartKubeFloor, helm, ofKind, render, template, type ValueSet } from './chart-render.js';

const VALIDATOR = `${ROOT}helm/tests/validate-manifests.py`;
// The chart's floor (Chart.yaml kubeVersion) and the newest version whose schemas the package ships.
const KUBE_VERSIONS = [chartKubeFloor(), '1.37'];
const work = mkdtempSync(join(tmpdir(), 'kuroshio-helm-'));

function validate(kubeVersion: string, file: string): { status: number | null; report: { checked: number; errors: string[] } } {
  const result = spawnSync(PYTHON, [VALIDATOR, '--kube-version', kubeVersion, file], { encoding: 'utf8' });
  if (result.error) throw result.error;
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  if (!line.startsWith('{')) throw new Error(`validator printed no report:\n${result.stdout}\n${result.stderr}`);
  return { status: result.status, report: JSON.parse(line) };
}

describe.each(Object.keys(VALUE_SETS) as ValueSet[])('chart with %s values', (set) => {
  const files = VALUE_SETS[set];

  it('passes helm lint --strict', () => {
    const result = helm(['lint', CHART, '--strict', '--kube-version', '1.37.0', ...files.flatMap((f) => ['-f', f])]);
    expect(result.stderr + result.stdout).not.toMatch(/\[(ERROR|WARNING)\]/);
    expect(result.status).toBe(0);
  });

  it.each(KUBE_VERSIONS)('renders manifests that validate strictly against the Kubernetes %s schemas', (kubeVersion) => {
    const { yaml, manifests } = render(files);
    const file = join(work, `${set}.yaml`);
    writeFileSync(file, yaml);
    const { status, report } = validate(kubeVersion, file);
    expect(report.errors).toEqual([]);
    expect(report.checked).toBe(manifests.length);
    expect(status).toBe(0);
  });
});

describe('schema validation', () => {
  it('rejects an unknown field, a wrong type and an API without a schema', () => {
    const file = join(work, 'broken.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {ports: [{port: 80}], clusterIp: None}',
        'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: b}\nspec: {maxUnavailable: {n: 1}}',
        'apiVersion: autoscaling/v2beta1\nkind: HorizontalPodAutoscaler\nmetadata: {name: c}\nspec: {maxReplicas: 2}',
      ].join('\n---\n'),
    );
    const { status, report } = validate('1.33', file);
    expect(status).toBe(1);
    expect(report.errors).toHaveLength(3);
    expect(report.errors.join('\n')).toMatch(/clusterIp/);
    expect(report.errors.join('\n')).toMatch(/autoscaling\/v2beta1/);
  });
});

describe('production values', () => {
  const { manifests } = render(VALUE_SETS.production);

  it('create no Secret: every credential comes from an existing one', () => {
    expect(ofKind(manifests, 'Secret')).toEqual([]);
  });

  it('scale collector, etl, feature-store and inference with autoscaling/v2 HPAs', () => {
    const hpas = ofKind(manifests, 'HorizontalPodAutoscaler');
    expect(hpas.map((h) => h.metadata.name).sort()).toEqual(['kuroshio-collector', 'kuroshio-etl', 'kuroshio-feature-store', 'kuroshio-inference']);
    expect(new Set(hpas.map((h) => h.apiVersion))).toEqual(new Set(['autoscaling/v2']));
  });

  it('serve the public HTTP APIs through Ingresses with TLS only', () => {
    const ingresses = ofKind(manifests, 'Ingress');
    expect(ingresses.length).toBeGreaterThan(0);
    for (const ingress of ingresses) expect(ingress['spec'].tls?.[0]?.secretName, ingress.metadata.name).toBeTruthy();
  });
});

describe('values the chart refuses', () => {
  it.each([
    ['autoscaling of a service that does not scale out', ['services.trainer.autoscaling.enabled=true'], /additional properties 'autoscaling' not allowed|does not scale horizontally/],
    ['two replicas of a single writer', ['services.model-registry.replicas=2'], /single writer/],
    ['TLS with a plain-http ClickHouse', ['tls.enabled=true', 's3.endpoint=https://s3.example'], /clickhouse.url must be https/],
    ['an Ingress without a TLS secret when TLS is on', ['tls.enabled=true', 'clickhouse.url=https://ch.example', 's3.endpoint=https://s3.example', 'services.collector.ingress.enabled=true', 'services.collector.ingress.host=ingest.example'], /tlsSecretName is required/],
    ['SASL without credentials', ['kafka.sasl.enabled=true'], /kafkaSaslUsername/],
    ['disabling a service that another one calls', ['services.feature-store.enabled=false'], /calls feature-store, which is disabled/],
    ['an unknown service', ['services.scorer.enabled=true'], /additional properties 'scorer' not allowed/],
    ['a misspelt setting', ['services.collector.autoscalling.enabled=true'], /additional properties 'autoscalling' not allowed/],
    ['a broker without a port', ['kafka.brokers={kafka}'], /brokers/],
    ['a service without a memory limit', ['services.etl.resources.limits=null'], /limits|memory/],
  ])('%s', (_what, sets, message) => {
    const result = template([], sets);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(message);
  });
});
