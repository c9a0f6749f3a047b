import { ByteWriter } from './bytes.js';
import { KEY_TAG_MAX, writeIntKey } from './key-codec.js';

/**
 * The LevelDB key layout (see DESIGN.md):
 *   00 <ascii name>                     meta (applied index, id counters, import marker)
 *   01 <u32 table id>                   catalog record of one table
 *   10 <u32 table id> 00                hidden row id counter
 *   10 <u32 table id> 01 <row key>      row in the head (empty value = deleted)
 *   10 <u32 table id> 05 <first row key> column-encoded block of rows
 *   10 <u32 table id> 02 <u32 index id> <index key> <row key>   index entry (empty value)
 *   10 <u32 table id> 03 <INT expiry ms> <row key>              TTL entry (empty value)
 *   10 <u32 table id> 06 <mark>         dedupe mark (empty value): an ingested reading id (older versions)
 *   10 <u32 table id> 07 <key>          dedupe index entry, in a format the layer above keeps
 *   00 "x:" <ascii name>                a named value another layer keeps in the same batches
 *   00 "dropped:" <next key>            a dropped table's or index's range still to clear (value: its end and start)
 * Everything of a table shares one prefix, so dropping it is one range.
 */
const SPACE_META = 0x00;
const SPACE_CATALOG = 0x01;
const SPACE_TABLE = 0x10;
const PART_ROW_ID = 0x00;
const PART_ROWS = 0x01;
const PART_INDEX = 0x02;
const PART_TTL = 0x03;
const PART_BLOCKS = 0x05;
const PART_MARKS = 0x06;
const PART_DEDUPE = 0x07;

function meta(name: string): Uint8Array {
  return new ByteWriter(16).u8(SPACE_META).utf8(name).finish();
}

export const META_APPLIED_INDEX = meta('applied-index');
export const META_ID_COUNTERS = meta('id-counters');
export const META_IMPORT_MARKER = meta('import-in-progress');

/** Prefix of the ranges of dropped tables and indexes whose keys are still to be cleared. */
export const DROPPED_RANGES_PREFIX = meta('dropped:');

/** True for a key under some table's prefix (never meta or catalog). */
export function inTableSpace(key: Uint8Array): boolean {
  return key.length >= 5 && key[0] === SPACE_TABLE;
}

/** Key recording that [gte, its value) belongs to a dropped table or index and is to be cleared. */
export function droppedRangeKey(gte: Uint8Array): Uint8Array {
  return new ByteWriter(DROPPED_RANGES_PREFIX.length + gte.length).bytes(DROPPED_RANGES_PREFIX).bytes(gte).finish();
}

/** Key of a named value kept for another layer (`x:` keeps it apart from ours). */
export function namedValueKey(name: string): Uint8Array {
  return meta(`x:${name}`);
}

/** Key of a dedupe mark of a table. */
export function markKey(tableId: number, mark: Uint8Array): Uint8Array {
  return new ByteWriter(6 + mark.length).u8(SPACE_TABLE).u32be(tableId).u8(PART_MARKS).bytes(mark).finish();
}

/** Prefix of the dedupe marks of a table. */
export function marksPrefix(tableId: number): Uint8Array {
  return new ByteWriter(6).u8(SPACE_TABLE).u32be(tableId).u8(PART_MARKS).finish();
}

/** Key of a dedupe index entry of a table. */
export function dedupeKey(tableId: number, key: Uint8Array): Uint8Array {
  return new ByteWriter(6 + key.length).u8(SPACE_TABLE).u32be(tableId).u8(PART_DEDUPE).bytes(key).finish();
}

/** Bytes of the table-wide key before a dedupe entry's own key. */
export const DEDUPE_KEY_PREFIX_BYTES = 6;

export const CATALOG_PREFIX = Uint8Array.of(SPACE_CATALOG);
export const CATALOG_END = Uint8Array.of(SPACE_CATALOG + 1);

/** Catalog record key of a table. */
export function catalogKey(tableId: number): Uint8Array {
  return new ByteWriter(5).u8(SPACE_CATALOG).u32be(tableId).finish();
}

/** First key of everything stored for a table. */
export function tablePrefix(tableId: number): Uint8Array {
  return new ByteWriter(5).u8(SPACE_TABLE).u32be(tableId).finish();
}

/** Key of the hidden row id counter of a table. */
export function rowIdCounterKey(tableId: number): Uint8Array {
  return new ByteWriter(6).u8(SPACE_TABLE).u32be(tableId).u8(PART_ROW_ID).finish();
}

/** Prefix of all rows of a table; a row's full key is this followed by its row key. */
export function rowsPrefix(tableId: number): Uint8Array {
  let prefix = ROWS_PREFIXES.get(tableId);
  if (prefix === undefined) {
    prefix = new ByteWriter(6).u8(SPACE_TABLE).u32be(tableId).u8(PART_ROWS).finish();
    if (ROWS_PREFIXES.size >= ROWS_PREFIXES_KEPT) ROWS_PREFIXES.clear();
    ROWS_PREFIXES.set(tableId, prefix);
  }
  return prefix;
}

/** Row prefixes by table id: every row write needs one, and they never change. */
const ROWS_PREFIXES = new Map<number, Uint8Array>();
const ROWS_PREFIXES_KEPT = 4_096;

/** Prefix of the row blocks of a table; a block's key is this followed by its first row key. */
export function blocksPrefix(tableId: number): Uint8Array {
  return new ByteWriter(6).u8(SPACE_TABLE).u32be(tableId).u8(PART_BLOCKS).finish();
}

/** Prefix of all entries of one index. */
export function indexPrefix(tableId: number, indexId: number): Uint8Array {
  return new ByteWriter(10).u8(SPACE_TABLE).u32be(tableId).u8(PART_INDEX).u32be(indexId).finish();
}

/** Prefix of the TTL entries of a table. */
export function ttlPrefix(tableId: number): Uint8Array {
  return new ByteWriter(6).u8(SPACE_TABLE).u32be(tableId).u8(PART_TTL).finish();
}

/** Length of the rows prefix (the row key starts after it). */
export const ROWS_PREFIX_BYTES = 6;
/** Length of the TTL prefix plus the encoded expiry (the row key starts after it). */
export const TTL_ENTRY_HEADER_BYTES = 6 + 9;

/** TTL entry key: expiry first, so expired rows are one range scan. */
export function ttlKey(tableId: number, expiryMs: number, rowKey: Uint8Array): Uint8Array {
  const writer = new ByteWriter(16 + rowKey.length).bytes(ttlPrefix(tableId));
  writeIntKey(writer, expiryMs);
  return writer.bytes(rowKey).finish();
}

/** Upper bound (exclusive) of the TTL entries expiring at or before `nowMs`. */
export function ttlUpperBound(tableId: number, nowMs: number): Uint8Array {
  const writer = new ByteWriter(16).bytes(ttlPrefix(tableId));
  writeIntKey(writer, nowMs);
  return writer.u8(KEY_TAG_MAX).finish();
}

/** `prefix ‖ 0xFF`: greater than every key that extends `prefix` by whole encoded values. */
export function afterPrefix(prefix: Uint8Array): Uint8Array {
  const out = new Uint8Array(prefix.length + 1);
  out.set(prefix, 0);
  out[prefix.length] = KEY_TAG_MAX;
  return out;
}

/** The first key after every key starting with `prefix` (for raw byte prefixes). */
export function prefixEnd(prefix: Uint8Array): Uint8Array {
  const out = Uint8Array.from(prefix);
  for (let i = out.length - 1; i >= 0; i--) {
    if ((out[i] as number) < 0xff) {
      out[i] = (out[i] as number) + 1;
      return out.subarray(0, i + 1);
    }
  }
  throw new Error('prefixEnd of an all-0xFF prefix');
}
