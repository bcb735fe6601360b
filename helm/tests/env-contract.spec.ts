import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@kuroshio/config';
import { describe, expect, it } from 'vitest';
import { resolvePiiKey } from '../../services/etl/src/pii-key.js';
import { SERVICES, VALUE_SETS, componentOf, ofKind, readRepoFile, render, template, type Manifest, type ValueSet } from './chart-render.js';
import { podEnvironment } from './pod-env.js';
import { serviceSchema, servicePorts, variablesRead } from './service-config.js';

// Read by Node.js itself, not by a service's config schema; POD_NAME only composes other values.
const NODE_VARIABLES = new Set(['NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS', 'POD_NAME']);
// Where a service finds something else: left at its code default (loopback), the pod would be cut off.
const ADDRESS = /(_URL|_ENDPOINT|_BROKERS|_HOST|_ADDRESS|_TARGET)$/;
const OPTIONAL_ADDRESSES = new Set(['OTEL_EXPORTER_OTLP_ENDPOINT']);

/** Content of files mounted from Secrets that exist outside the chart (production). */
function externalFile(_secret: string, key: string): string {
  if (key === 'sources.yaml') return '[]\n';
  if (key === 'pii-key') return randomBytes(32).toString('base64');
  return '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n';
}

describe.each(Object.keys(VALUE_SETS) as ValueSet[])('environment with %s values', (set) => {
  const { manifests } = render(VALUE_SETS[set]);
  const deployments = ofKind(manifests, 'Deployment');
  const environmentOf = (name: string) => {
    const deployment = deployments.find((d) => componentOf(d) === name)!;
    const files = mkdtempSync(join(tmpdir(), `kuroshio-${name}-`));
    return { deployment, files, env: podEnvironment(manifests, deployment, files, externalFile) };
  };

  describe.each([...SERVICES])('%s', (name) => {
    it('loads the service config: every variable parses', async () => {
      const { env } = environmentOf(name);
      const schema = await serviceSchema(name);
      expect(() => loadConfig(schema, env)).not.toThrow();
    });

    it('sets only variables the service reads, and every address it reads', async () => {
      const { env } = environmentOf(name);
      const read = variablesRead(await serviceSchema(name));
      const unread = Object.keys(env).filter((key) => !read.has(key) && !NODE_VARIABLES.has(key));
      expect(unread).toEqual([]);
      const hasGrpc = servicePorts(name).grpc !== undefined;
      const addresses = [...read].filter((key) => ADDRESS.test(key) && !OPTIONAL_ADDRESSES.has(key) && (hasGrpc || !key.startsWith('GRPC_')));
      expect(addresses.filter((key) => env[key] === undefined)).toEqual([]);
      expect(env['HTTP_HOST']).toBe('0.0.0.0');
      expect(env['HTTP_PORT']).toBe(String(servicePorts(name).http));
    });
  });

  it('hands the ETL a PII key it accepts, from a mounted file', async () => {
    const { env, files } = environmentOf('etl');
    const localKey = join(files, 'must-not-be-written');
    const warnings: unknown[] = [];
    const logger = { warn: (...args: unknown[]) => warnings.push(args) } as unknown as Parameters<typeof resolvePiiKey>[1];
    const resolved = await resolvePiiKey({ piiKey: undefined, piiKeyFile: env['ETL_PII_KEY_FILE'] }, logger, localKey);
    expect(resolved.origin).toBe('file');
    expect(resolved.key.length).toBeGreaterThanOrEqual(32);
    expect(existsSync(localKey)).toBe(false);
    expect(warnings).toEqual([]);
  });

  it('gives every feature-store replica an online consumer group of its own', () => {
    const { env } = environmentOf('feature-store');
    expect(env['FEATURE_STORE_ONLINE_GROUP']).toBe(`kuroshio-feature-store-online-${env['POD_NAME']}`);
  });

  it('gives the collector its source list as a file', async () => {
    const { env } = environmentOf('collector');
    expect(env['COLLECTOR_SOURCES_FILE']).toBeDefined();
    const config = loadConfig(await serviceSchema('collector'), env) as { collector: { sources: unknown[] } };
    expect(Array.isArray(config.collector.sources)).toBe(true);
  });
});

describe('collector sources from values', () => {
  it('are the list the collector loads', async () => {
    const hash = 'a'.repeat(64);
    const { manifests } = render([], [`services.collector.sources.list[0].tenant=bank-a`, `services.collector.sources.list[0].source=bank-a-app`, `services.collector.sources.list[0].channel=app`, `services.collector.sources.list[0].writeKeySha256=${hash}`]);
    const deployment = ofKind(manifests, 'Deployment').find((d: Manifest) => componentOf(d) === 'collector')!;
    const env = podEnvironment(manifests, deployment, mkdtempSync(join(tmpdir(), 'kuroshio-sources-')), externalFile);
    const config = loadConfig(await serviceSchema('collector'), env) as { collector: { sources: { tenant: string; id: string; writeKeySha256: { reveal(): string } }[] } };
    expect(config.collector.sources.map((s) => [s.tenant, s.id, s.writeKeySha256.reveal()])).toEqual([['bank-a', 'bank-a-app', hash]]);
  });
});

describe('trainer retraining policies from values', () => {
  it('are a file the trainer loads and checks, with the schedule', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'kuroshio-retraining-'));
    const values = join(directory, 'values.yaml');
    writeFileSync(
      values,
      [
        'services:',
        '  trainer:',
        '    retraining:',
        '      intervalMs: 3600000',
        '      policies:',
        '        - modelName: bad-debt',
        '          training: { trainingSet: export-1, modelFamily: MODEL_FAMILY_LOGISTIC_REGRESSION }',
        '          triggers: { maxChampionAge: 30d }',
        '          experiment:',
        '            metrics: [{ key: paid_30d, kind: METRIC_KIND_CONVERSION, event: Carrier Billing Payment, role: METRIC_ROLE_PRIMARY }]',
        '',
      ].join('\n'),
    );
    const { manifests } = render([values]);
    const deployment = ofKind(manifests, 'Deployment').find((d: Manifest) => componentOf(d) === 'trainer')!;
    const env = podEnvironment(manifests, deployment, mkdtempSync(join(tmpdir(), 'kuroshio-trainer-')), externalFile);
    expect(env['TRAINER_RETRAINING_INTERVAL_MS']).toBe('3600000');
    const config = loadConfig(await serviceSchema('trainer'), env) as { retraining: { policies: { modelName: string; triggers: { maxChampionAgeMs: number } }[]; intervalMs: number } };
    expect(config.retraining.intervalMs).toBe(3_600_000);
    expect(config.retraining.policies.map((p) => [p.modelName, p.triggers.maxChampionAgeMs])).toEqual([['bad-debt', 30 * 86_400_000]]);
  });

  it('refuses a schedule without policies', () => {
    const result = template([], ['services.trainer.retraining.intervalMs=60000']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('services.trainer.retraining.intervalMs schedules retraining: it needs services.trainer.retraining.policies');
  });
});

describe('the chart catalog', () => {
  it('names the ports of every main.ts', () => {
    const catalog = readRepoFile('helm/kuroshio/templates/_helpers.tpl');
    for (const name of SERVICES) {
      const ports = servicePorts(name);
      const line = new RegExp(`^${name}:\\s*\\{ httpPort: ${ports.http}${ports.grpc === undefined ? ',' : `, grpcPort: ${ports.grpc},`}`, 'm');
      expect(catalog, name).toMatch(line);
    }
  });
});
