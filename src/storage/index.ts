export type * from './values.js';
export { INT64_MAX, INT64_MIN, canonicalInt } from './values.js';
export type * from './schema.js';
export type * from './engine.js';
export { openStorage } from './storage-engine.js';
export type { StorageOptions } from './storage-engine.js';
export type { LevelDatabase } from './kv-source.js';
export { crc32, crc32Update } from './crc32.js';
export { SNAPSHOT_FORMAT_VERSION } from './snapshot-format.js';
