import { appendAll, assert, yieldToEventLoop } from '../lib/index.js';
import { bytesToMapKey, compareBytes, concatBytes } from './bytes.js';
import { blockExtent, decodeBlock, encodeBlock } from './block-codec.js';
import { chunkRows } from './block-chunks.js';
import type { StoredRow } from './engine.js';
import { afterPrefix, blocksPrefix, rowsPrefix } from './keys.js';
import { successorKey } from './kv-source.js';
import type { KvEntry, KvSource } from './kv-source.js';
import type { Overlay } from './overlay.js';
import type { RowStore } from './row-store.js';
import type { TableSchema } from './schema.js';
import { floatCompressionOf, tableLayout } from './table-layout.js';
import type { LayoutOptions } from './table-layout.js';

/** Head items a fold walks between turns of the event loop. */
const FOLD_ROWS_PER_TURN = 4_096;

/** A block with at least blockRows / this many rows is not rewritten by appends after it. */
const APPEND_MIN_FRACTION = 8;
const ALL_ROW_KEYS_LOW = new Uint8Array(0);
const ALL_ROW_KEYS_HIGH = Uint8Array.of(0xff);

/**
 * Move a table's head into blocks when it has grown past the limit, or when the committing
 * transaction brings at least blockRows/8 rows that all append after their blocks: the blocks overlapping the
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
  if (!tableLayout(schema).foldsHead) return false;
  const head: HeadItem[] = [];
  for await (const batch of store.headItems(schema, ALL_ROW_KEYS_LOW, ALL_ROW_KEYS_HIGH, false)) {
    appendAll(head, batch);
  }
  if (head.length === 0) return false;
  const prefix = blocksPrefix(schema.id);
  const rowPrefix = rowsPrefix(schema.id);
  // Head rows written by this very transaction never reach LevelDB: they go straight to blocks.
  const stored = new Set<string>();
  const headEnd = concatBytes(rowPrefix, ALL_ROW_KEYS_HIGH);
  for await (const batch of base.range(rowPrefix, headEnd, false)) {
    for (const entry of batch) stored.add(bytesToMapKey(entry.key));
  }
  const appendRows = Math.max(1, Math.floor(layout.blockRows / APPEND_MIN_FRACTION));
  if (head.length < layout.headEntriesMax && head.length - stored.size < appendRows) return false;
  const groups = await groupByBlock(source, prefix, head);
  // Below the head limit, a commit's own rows fold early only when they all append after
  // their blocks: they become blocks at once instead of head entries that a later fold reads
  // back and deletes (whose tombstones every head scan would then step over).
  if (head.length < layout.headEntriesMax &&
    !groups.every((g) => g.block === undefined || appendsAfter(schema, g.block, g.items, layout))) return false;
  for (const [at, item] of head.entries()) {
    if (at % FOLD_ROWS_PER_TURN === FOLD_ROWS_PER_TURN - 1) await yieldToEventLoop();
    const key = concatBytes(rowPrefix, item.key);
    if (stored.has(bytesToMapKey(key))) overlay.delete(key);
    else overlay.forget(key);
  }
  for (const group of groups) {
    const keep = group.block !== undefined && appendsAfter(schema, group.block, group.items, layout);
    const rows = group.block === undefined || keep ? [] : decodeBlock(schema, group.block.value);
    const merged = mergeHead(rows, group.items);
    if (group.block !== undefined && !keep) overlay.delete(group.block.key);
    for (const chunk of chunkRows(schema, merged, layout.blockRows)) {
      const first = chunk[0] as StoredRow;
      overlay.put(concatBytes(prefix, first.key), encodeBlock(schema, chunk, floatCompressionOf(layout)));
      // Each block encoded is a turn of the loop: a 100,000-row fold held a node ~1 s in one piece.
      await yieldToEventLoop();
    }
  }
  store.invalidate();
  return true;
}

/**
 * Whether a group's items all lie after its block, which already holds enough rows to stay as
 * it is: then the items become new blocks and the block is not rewritten. Small blocks are
 * still merged, so per-device appends grow a block to blockRows/8 before starting the next;
 * `compactBlocks` later merges neighbours into full blocks.
 */
function appendsAfter(
  schema: TableSchema,
  block: KvEntry,
  items: readonly HeadItem[],
  layout: LayoutOptions,
): boolean {
  const first = items[0];
  if (first === undefined) return false;
  const extent = blockExtent(schema, block.value);
  return (
    extent.rows >= Math.max(1, Math.floor(layout.blockRows / APPEND_MIN_FRACTION)) &&
    compareBytes(first.key, extent.lastKey) > 0
  );
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
