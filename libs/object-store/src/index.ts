export {
  ObjectStore,
  type ObjectStoreConnectionOptions,
  type ObjectStoreOptions,
  type ObjectStat,
  type ObjectSummary,
  type PutOptions,
  type PutResult,
} from './object-store.js';
export { ChecksumMismatchError, SHA256_METADATA_KEY } from './checksum.js';
export { ObjectStoreModule } from './object-store.module.js';
