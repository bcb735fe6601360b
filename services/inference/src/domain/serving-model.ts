import type { FeatureSpec, Normaliser } from '@kuroshio/model-runtime';
import type { ServedArtifactChoice } from '../inference-settings.js';

/** A model version in memory, ready to score: its input contract and the model itself. */
export interface LoadedModel {
  readonly modelName: string;
  readonly version: number;
  readonly artifact: ServedArtifactChoice;
  readonly spec: FeatureSpec;
  readonly normaliser: Normaliser;
  /** Scores `rows` rows of `spec.inputWidth` inputs (row-major); one positive-class probability per row. */
  score(inputs: Float32Array, rows: number): Promise<Float32Array>;
  dispose(): void;
}

/** The registry's description of a version: where its artifacts are and what they hash to. */
export interface VersionArtifacts {
  readonly modelName: string;
  readonly version: number;
  readonly ready: boolean;
  readonly artifacts: ReadonlyArray<{
    readonly kind: 'MODEL' | 'MODEL_QUANTIZED_UINT8' | 'MODEL_QUANTIZED_FLOAT16' | 'FEATURE_SPEC' | 'NORMALIZER' | 'MANIFEST';
    readonly uri: string;
    readonly files: ReadonlyArray<{ readonly path: string; readonly sha256: string }>;
  }>;
}

/** What inference needs of the model registry. */
export interface ModelRegistryPort {
  /** The version an alias points at, or a pinned version; NOT_FOUND / UNAVAILABLE as DomainErrors. */
  getVersion(modelName: string, selector: { alias: string } | { version: number }): Promise<VersionArtifacts>;
}

/** Downloads, verifies and loads a version's artifacts. */
export interface ModelLoader {
  load(version: VersionArtifacts): Promise<LoadedModel>;
}
