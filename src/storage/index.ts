export type * from './values.js';
export { INT64_MAX, INT64_MIN, canonicalInt } from './values.js';
export type * from './schema.js';
export type * from './engine.js';
export { openStorage } from './storage-engine.js';
export { rowsToColumnBatch } from './column-batch.js';
export type { StorageOptions } from './storage-engine.js';
export type { LayoutOptions, NewTableLayoutPolicy } from './table-layout.js';
export type { FloatCompression } from './codecs/column-codec.js';
export { APPEND_LAYOUT, AUTO_LAYOUT, ROW_LAYOUT } from './table-layout.js';
export type { LevelDatabase } from './kv-source.js';
export { crc32, crc32Update } from '../lib/index.js';
export { SNAPSHOT_FORMAT_VERSION } from './snapshot-format.js';
export { isLockHeldError, levelDirInUse } from './level-lock.js';
export { bytesToMapKey, ByteReader, ByteWriter } from './bytes.js';
export { decimalScaling } from './codecs/float-decimal-codec.js';
/** The two FLOAT codecs a block chooses between when decimals do not apply (bench/ compares them). */
export { readXorFloats, writeXorFloats } from './codecs/float-xor-codec.js';
export { readChimpFloats, writeChimpFloats } from './codecs/float-chimp-codec.js';
export { compareBytes } from './bytes.js';
/** The key of the applied index (the simulation plants a store that loses it). */
export { META_APPLIED_INDEX } from './keys.js';
export { EncodedRowsBuilder, encodableAhead } from './encoded-rows.js';
export type { EncodedRows } from './encoded-rows.js';
export { blockColumnsOfRows } from './block-columns.js';
export type { BlockColumns, ColumnInput } from './block-columns.js';
export { INDEX_BUILD_ROWS_PER_PASS, anyIndexBuilding, indexesBuilding } from './index-build.js';
export type { IndexBuildPass } from './index-build.js';
export { TRANSACTION_WRITE_BYTES_MAX } from './write-budget.js';
