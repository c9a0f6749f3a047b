import { bytesToMapKey, compareBytes, concatBytes } from './bytes.js';
import { decodeBlock } from './block-codec.js';
import type { RowKey, StoredRow } from './engine.js';
import { afterPrefix, blocksPrefix } from './keys.js';
import { successorKey } from './kv-source.js';
import type { KvSource } from './kv-source.js';
import type { RowStore } from './row-store.js';
import type { TableSchema } from './schema.js';

/** A block all of whose rows are to be deleted: its LevelDB key and its rows. */
export interface WholeBlock {
  readonly key: Uint8Array;
  readonly rows: readonly StoredRow[];
}

/**
 * The blocks of `schema` whose every row is among `keys` and that no head entry falls into:
 * deleting those rows can drop the block entry itself instead of hiding each row under a head
 * tombstone (which a later fold would read back and rewrite). `keys` may come in any order.
 */
export async function wholeBlocksAmong(
  source: KvSource,
  rows: RowStore,
  schema: TableSchema,
  keys: readonly RowKey[],
): Promise<WholeBlock[]> {
  const prefix = blocksPrefix(schema.id);
  const bounds = keyBounds(keys);
  if (bounds === null) return [];
  const { first, last } = bounds;
  if ((await source.first(prefix, afterPrefix(prefix), false)) === undefined) return [];
  const wanted = new Set(keys.map(bytesToMapKey));
  const found: WholeBlock[] = [];
  const consider = async (key: Uint8Array, value: Uint8Array): Promise<void> => {
    const blockRows = decodeBlock(schema, value);
    const low = blockRows[0]?.key;
    const high = blockRows[blockRows.length - 1]?.key;
    if (low === undefined || high === undefined) return;
    if (!blockRows.every((row) => wanted.has(bytesToMapKey(row.key)))) return;
    for await (const batch of rows.headItems(schema, low, successorKey(high), false)) {
      if (batch.length > 0) return;
    }
    found.push({ key, rows: blockRows });
  };
  const start = concatBytes(prefix, first);
  const before = await source.first(prefix, successorKey(start), true);
  if (before !== undefined && compareBytes(before.key, start) < 0) await consider(before.key, before.value);
  for await (const batch of source.range(start, successorKey(concatBytes(prefix, last)), false)) {
    for (const block of batch) await consider(block.key, block.value);
  }
  return found;
}

/** The least and greatest of `keys` (null when there are none), without sorting them. */
function keyBounds(keys: readonly RowKey[]): { first: RowKey; last: RowKey } | null {
  let first = keys[0];
  let last = first;
  if (first === undefined || last === undefined) return null;
  for (const key of keys) {
    if (compareBytes(key, first) < 0) first = key;
    else if (compareBytes(key, last) > 0) last = key;
  }
  return { first, last };
}
