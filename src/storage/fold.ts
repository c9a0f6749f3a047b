import { assert } from '../lib/assert.js';
import { bytesToMapKey, compareBytes, concatBytes } from './bytes.js';
import { decodeBlock, encodeBlock } from './block-codec.js';
import type { StoredRow } from './engine.js';
import { afterPrefix, blocksPrefix, rowsPrefix } from './keys.js';
import { successorKey } from './kv-source.js';
import type { KvEntry, KvSource } from './kv-source.js';
import type { Overlay } from './overlay.js';
import type { RowStore } from './row-store.js';
import type { TableSchema } from './schema.js';

/** How table data is split between the per-row head and column blocks. */
export interface LayoutOptions {
  /** Rows per block written by a fold. */
  readonly blockRows: number;
  /** A commit folds a table's head into blocks once the head holds this many entries. */
  readonly headEntriesMax: number;
  /**
   * Fold only tables keyed by the hidden row id. Their keys only grow, so a fold appends new
   * blocks instead of rewriting old ones; keyed tables (often interleaved, e.g. PRIMARY KEY
   * (device, ts)) stay one entry per row.
   */
  readonly rowIdTablesOnly?: boolean;
}

/**
 * Folding off (headEntriesMax = Infinity): one LevelDB entry per row, for every table. A fold
 * rewrites whole blocks, so with interleaved keys (many devices, PRIMARY KEY (device, ts)) it
 * amplifies writes ~blockRows/rows-per-device-per-fold times (measured: 1k vs 30k rows/s).
 */
export const ROW_LAYOUT: LayoutOptions = {
  blockRows: 1024,
  headEntriesMax: Number.POSITIVE_INFINITY,
};

/** Blocks for append-mostly tables (keys that grow with time): scans ~3-4x faster. */
export const APPEND_LAYOUT: LayoutOptions = { blockRows: 1024, headEntriesMax: 1024 };

/**
 * Blocks for row-id tables (always appended), per-row for keyed ones. Not the default yet:
 * measured 2026-11-23, it made GROUP BY over 100k rows ~3x faster but 1000-row INSERTs ~2x
 * slower and LIMIT scans slower; the columnar scan path is the next step (storage/DESIGN.md).
 */
export const AUTO_LAYOUT: LayoutOptions = { blockRows: 1024, headEntriesMax: 1024, rowIdTablesOnly: true };

const ALL_ROW_KEYS_LOW = new Uint8Array(0);
const ALL_ROW_KEYS_HIGH = Uint8Array.of(0xff);

/**
 * Move a table's head into blocks when it has grown past the limit: the blocks overlapping the
 * head's key span are decoded, merged with the head (head wins, deletes drop rows), re-chunked,
 * and written back through the overlay, so the fold commits in the same batch as the writes.
 * Returns whether it folded.
 */
export async function foldHead(
  schema: TableSchema,
  source: KvSource,
  base: KvSource,
  store: RowStore,
  overlay: Overlay,
  layout: LayoutOptions,
): Promise<boolean> {
  if (!Number.isFinite(layout.headEntriesMax)) return false;
  if (layout.rowIdTablesOnly === true && schema.primaryKey.length > 0) return false;
  const head: HeadItem[] = [];
  for await (const batch of store.headItems(schema, ALL_ROW_KEYS_LOW, ALL_ROW_KEYS_HIGH, false)) {
    head.push(...batch);
  }
  if (head.length === 0 || head.length < layout.headEntriesMax) return false;
  const prefix = blocksPrefix(schema.id);
  const groups = await groupByBlock(source, prefix, head);
  const rowPrefix = rowsPrefix(schema.id);
  // Head rows written by this very transaction never reach LevelDB: they go straight to blocks.
  const stored = new Set<string>();
  const headEnd = concatBytes(rowPrefix, ALL_ROW_KEYS_HIGH);
  for await (const batch of base.range(rowPrefix, headEnd, false)) {
    for (const entry of batch) stored.add(bytesToMapKey(entry.key));
  }
  for (const item of head) {
    const key = concatBytes(rowPrefix, item.key);
    if (stored.has(bytesToMapKey(key))) overlay.delete(key);
    else overlay.forget(key);
  }
  for (const group of groups) {
    const rows = group.block === undefined ? [] : decodeBlock(schema.columns, group.block.value);
    const merged = mergeHead(rows, group.items);
    if (group.block !== undefined) overlay.delete(group.block.key);
    for (let start = 0; start < merged.length; start += layout.blockRows) {
      const chunk = merged.slice(start, start + layout.blockRows);
      const first = chunk[0] as StoredRow;
      overlay.put(concatBytes(prefix, first.key), encodeBlock(schema.columns, chunk));
    }
  }
  store.invalidate();
  return true;
}

interface HeadItem {
  readonly key: Uint8Array;
  readonly row: StoredRow | null;
}

/** Head items grouped by the block they fall into (the last block starting at or before). */
interface BlockGroup {
  readonly block: KvEntry | undefined;
  readonly items: HeadItem[];
}

/**
 * Assign each head item (in key order) to the block whose range it falls in, so a fold rewrites
 * only those blocks: items of a group lie before the next block's first key, which keeps blocks
 * from overlapping. Items before the first block form a group without a block.
 */
async function groupByBlock(
  source: KvSource,
  prefix: Uint8Array,
  head: readonly HeadItem[],
): Promise<BlockGroup[]> {
  const end = afterPrefix(prefix);
  const floorOf = (key: Uint8Array): Promise<KvEntry | undefined> =>
    source.first(prefix, successorKey(concatBytes(prefix, key)), true);
  const after = (block: KvEntry | undefined): Promise<KvEntry | undefined> =>
    source.first(block === undefined ? prefix : successorKey(block.key), end, false);
  const groups: BlockGroup[] = [];
  let next: KvEntry | undefined;
  let group: BlockGroup | undefined;
  for (const item of head) {
    const key = concatBytes(prefix, item.key);
    if (group === undefined || (next !== undefined && compareBytes(key, next.key) >= 0)) {
      const block = await floorOf(item.key);
      next = await after(block);
      group = { block, items: [] };
      groups.push(group);
    }
    group.items.push(item);
  }
  return groups;
}

function mergeHead(stored: readonly StoredRow[], head: readonly HeadItem[]): StoredRow[] {
  const out: StoredRow[] = [];
  let s = 0;
  for (const item of head) {
    while (s < stored.length && compareBytes((stored[s] as StoredRow).key, item.key) < 0) {
      out.push(stored[s] as StoredRow);
      s++;
    }
    if (s < stored.length && compareBytes((stored[s] as StoredRow).key, item.key) === 0) s++;
    if (item.row !== null) out.push(item.row);
  }
  while (s < stored.length) out.push(stored[s++] as StoredRow);
  for (let i = 1; i < out.length; i++) {
    assert(
      compareBytes((out[i - 1] as StoredRow).key, (out[i] as StoredRow).key) < 0,
      'fold order',
    );
  }
  return out;
}
