import { appendAll } from '../lib/index.js';
import { concatBytes } from './bytes.js';
import { chunkRows } from './block-chunks.js';
import { blockExtent, decodeBlock, encodeBlock } from './block-codec.js';
import type { StoredRow } from './engine.js';
import { afterPrefix, blocksPrefix } from './keys.js';
import type { KvSource } from './kv-source.js';
import type { TableSchema } from './schema.js';
import { floatCompressionOf } from './table-layout.js';
import type { LayoutOptions } from './table-layout.js';

/** One write of a compaction batch (null value = delete). */
export interface CompactionWrite {
  readonly key: Uint8Array;
  readonly value: Uint8Array | null;
}

/**
 * The writes that merge a table's blocks into full ones (at most `layout.blockRows` rows, one series
 * each): every old block is deleted and the rows, unchanged and in the same order, re-chunked.
 * Folds leave small blocks behind (appends per device, deletes); this restores full blocks,
 * which compress better and scan faster. Returned as one list so the caller writes them as ONE
 * batch: blocks never overlap at any moment (bounded by the table's compressed size in memory).
 */
export async function compactTableBlocks(
  source: KvSource,
  schema: TableSchema,
  layout: LayoutOptions,
): Promise<CompactionWrite[]> {
  const { blockRows } = layout;
  const prefix = blocksPrefix(schema.id);
  const deletes: CompactionWrite[] = [];
  const puts = new Map<string, CompactionWrite>();
  const emit = (chunk: readonly StoredRow[]): void => {
    const key = concatBytes(prefix, (chunk[0] as StoredRow).key);
    puts.set(Buffer.from(key).toString('latin1'), { key, value: encodeBlock(schema, chunk, floatCompressionOf(layout)) });
  };
  let pending: StoredRow[] = [];
  for await (const batch of source.range(prefix, afterPrefix(prefix), false, 16)) {
    for (const block of batch) {
      deletes.push({ key: block.key, value: null });
      appendAll(pending, decodeBlock(schema, block.value));
      const chunks = chunkRows(schema, pending, blockRows);
      // The last chunk may still grow with the next block's rows.
      pending = chunks.pop() ?? [];
      chunks.forEach(emit);
    }
  }
  if (pending.length > 0) emit(pending);
  const rewritten = deletes.filter((write) => !puts.has(Buffer.from(write.key).toString('latin1')));
  return [...rewritten, ...puts.values()];
}

/** Where an incremental compaction goes on: the table and the block key it stopped before. */
export interface CompactionCursor {
  readonly tableId: number;
  readonly after: Uint8Array | null;
}

/** What one window of an incremental compaction found: its writes and where the next starts. */
export interface CompactionWindow {
  readonly writes: CompactionWrite[];
  /** The key of the first block after the window; null when the window reached the table's end. */
  readonly next: Uint8Array | null;
  readonly blocksRead: number;
  /** Blocks the window holds after its writes (blocksRead when nothing was rewritten). */
  readonly blocksAfter: number;
}

/**
 * One window of at most `maxBlocks` blocks (and about 2 * blockRows rows) of `schema` from block key `from` on: when its rows
 * fit in fewer blocks than it has, they are re-chunked (blocks deleted, rows unchanged and in
 * order). The window ends at a block boundary, so the new blocks cover exactly its key range
 * and never overlap the blocks around it.
 */
export async function compactWindow(
  source: KvSource,
  schema: TableSchema,
  layout: LayoutOptions,
  from: Uint8Array | null,
  maxBlocks: number,
): Promise<CompactionWindow> {
  const { blockRows } = layout;
  const prefix = blocksPrefix(schema.id);
  const blocks: { key: Uint8Array; value: Uint8Array }[] = [];
  let next: Uint8Array | null = null;
  let rowCount = 0;
  for await (const batch of source.range(from ?? prefix, afterPrefix(prefix), false, 16)) {
    for (const block of batch) {
      // Bounded by rows too: a step re-encodes at most ~2 full blocks' worth (a few ms of CPU).
      if (blocks.length >= maxBlocks || (blocks.length >= 2 && rowCount >= 2 * blockRows)) {
        next = block.key;
        break;
      }
      blocks.push(block);
      rowCount += blockExtent(schema, block.value).rows;
    }
    if (next !== null) break;
  }
  if (blocks.length < 2 || Math.ceil(rowCount / blockRows) >= blocks.length) {
    return { writes: [], next, blocksRead: blocks.length, blocksAfter: blocks.length };
  }
  const rows = blocks.flatMap((block) => decodeBlock(schema, block.value));
  const puts = chunkRows(schema, rows, blockRows).map((chunk) =>
    ({ key: concatBytes(prefix, (chunk[0] as StoredRow).key), value: encodeBlock(schema, chunk, floatCompressionOf(layout)) as Uint8Array | null }));
  // Several series in a window may still need as many blocks: then leave it as it is.
  if (puts.length >= blocks.length) return { writes: [], next, blocksRead: blocks.length, blocksAfter: blocks.length };
  const kept = new Set(puts.map((write) => Buffer.from(write.key).toString('latin1')));
  const deletes = blocks.filter((block) => !kept.has(Buffer.from(block.key).toString('latin1')))
    .map((block) => ({ key: block.key, value: null }));
  return { writes: [...deletes, ...puts], next, blocksRead: blocks.length, blocksAfter: puts.length };
}
