import { InMemoryChangeLog as GenericInMemoryChangeLog } from '@kuroshio/control-plane';
import type { AliasChange, Artifact, Change } from '../domain/registry-change.js';
import type { AliasChangeSink, ArtifactVerifier } from '../domain/registry-ports.js';

/** A change log in memory; `failNext` makes appends fail, either before or after they land. */
export class InMemoryChangeLog extends GenericInMemoryChangeLog<Change> {}

export class RecordingAliasSink implements AliasChangeSink {
  readonly published: AliasChange[] = [];

  async enqueue(change: AliasChange): Promise<boolean> {
    this.published.push(change);
    return true;
  }
}

export class RecordingVerifier implements ArtifactVerifier {
  readonly verified: Artifact[][] = [];
  reject: Error | undefined;

  async verify(artifacts: readonly Artifact[]): Promise<void> {
    this.verified.push([...artifacts]);
    if (this.reject !== undefined) throw this.reject;
  }
}

/** A clock tests move by hand. */
export class ManualClock {
  constructor(public nowMs = Date.UTC(2026, 0, 5, 9, 0, 0)) {}
  readonly now = (): number => this.nowMs;
  advance(ms: number): void {
    this.nowMs += ms;
  }
}

export const MODELS_BUCKET = 'kuroshio-models';

/** A registration input with one MODEL artifact of one file. */
export function versionInput(overrides: { description?: string; sha256?: string; path?: string } = {}) {
  return {
    description: overrides.description ?? 'weekly retrain',
    artifacts: [
      {
        kind: 'model' as const,
        uri: `s3://${MODELS_BUCKET}/bad-debt/run-1/model`,
        files: [{ path: overrides.path ?? 'model.json', sha256: overrides.sha256 ?? 'a'.repeat(64), sizeBytes: 120 }],
        metrics: {},
      },
    ],
    metrics: { roc_auc: 0.81 },
    params: { family: 'logistic', seed: 7 },
    lineage: {
      datasetManifestHash: 'b'.repeat(64),
      datasetUri: 's3://kuroshio-lake/exports/e1/manifest.json',
      featureViews: [{ name: 'payments_30d', version: 2 }],
      codeVersion: 'abc1234',
      backend: 'wasm',
      trainingJobId: 'job-1',
    },
  };
}
