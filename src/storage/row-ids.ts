import { ByteReader, ByteWriter, concatBytes } from './bytes.js';
import { encodeKeyTuple } from './key-codec.js';
import { ROWS_PREFIX_BYTES, rowIdCounterKey, rowsPrefix } from './keys.js';
import type { KvSource } from './kv-source.js';
import type { Overlay } from './overlay.js';
import type { RowKey } from './engine.js';
import type { TableSchema } from './schema.js';

/** Moves the hidden row id counter of `schema` on by `count` in `overlay`; returns the first id taken. */
export async function reserveRowIds(source: KvSource, overlay: Overlay, schema: TableSchema, count: number): Promise<number> {
  const counterKey = rowIdCounterKey(schema.id);
  const stored = await source.get(counterKey);
  const last = stored === undefined ? 0 : new ByteReader(stored, 'row id counter').varint();
  overlay.put(counterKey, new ByteWriter(8).varint(last + count).finish());
  return last + 1;
}

/** The next `count` hidden row ids of `schema` as full storage keys (the counter moves on). */
export async function nextRowIds(source: KvSource, overlay: Overlay, schema: TableSchema, count: number): Promise<Uint8Array[]> {
  const first = await reserveRowIds(source, overlay, schema, count);
  const prefix = rowsPrefix(schema.id);
  return Array.from({ length: count }, (_, i) => concatBytes(prefix, encodeKeyTuple([first + i], ['INT'])));
}

/** The next hidden row id of `schema` as a row key. */
export async function nextRowId(source: KvSource, overlay: Overlay, schema: TableSchema): Promise<RowKey> {
  return ((await nextRowIds(source, overlay, schema, 1))[0] as Uint8Array).subarray(ROWS_PREFIX_BYTES);
}
