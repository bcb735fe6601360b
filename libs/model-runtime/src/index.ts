// What training and serving must share so there is no train/serve skew: the TensorFlow.js backend
// choice, the model files in the object store, and the maths that turns features into model inputs.
export { BACKEND_PREFERENCE, selectBackend, useBackend, type BackendChoice, type SelectedBackend } from './tfjs/backend-selection.js';
export { announceBackend } from './tfjs/backend-announcement.js';
export { ArtifactChecksumError, capturedArtifacts, ObjectStoreModelFiles, sha256Hex, type StoredFile } from './artifacts/object-store-model-files.js';
export {
  characterNgrams,
  DEFAULT_NGRAM_HASHING,
  fnv1a32,
  hashText,
  NGRAM_HASHING_RULES,
  normalisedCodePoints,
  type HashedVector,
  type NgramHashing,
} from './features/char-ngram-hashing.js';
export { fitNormaliser, normaliseRow, normaliseValues, type NormalisedColumn, type Normaliser } from './features/normaliser.js';
export { denseBatch, modelInputs, type ModelInputs } from './features/model-inputs.js';
export {
  featureKey,
  featureSpec,
  INPUT_LAYOUT,
  isNumericValueType,
  isStringValueType,
  type FeatureSpec,
  type FeatureSpecColumn,
  type ModelFamily,
} from './features/feature-spec.js';
export { fitsFloat32, modelInputNumber } from './features/model-input-value.js';
export { featureVectorHash, modelInputBlock, type RawModelRow } from './features/feature-vector.js';
