import { concatBytes } from './bytes.js';
import { chunkRows } from './block-chunks.js';
import { decodeBlock, encodeBlock } from './block-codec.js';
import type { StoredRow } from './engine.js';
import { afterPrefix, blocksPrefix } from './keys.js';
import type { KvSource } from './kv-source.js';
import type { TableSchema } from './schema.js';

/** One write of a compaction batch (null value = delete). */
export interface CompactionWrite {
  readonly key: Uint8Array;
  readonly value: Uint8Array | null;
}

/**
 * The writes that merge a table's blocks into full ones (at most `blockRows` rows, one series
 * each): every old block is deleted and the rows, unchanged and in the same order, re-chunked.
 * Folds leave small blocks behind (appends per device, deletes); this restores full blocks,
 * which compress better and scan faster. Returned as one list so the caller writes them as ONE
 * batch: blocks never overlap at any moment (bounded by the table's compressed size in memory).
 */
export async function compactTableBlocks(
  source: KvSource,
  schema: TableSchema,
  blockRows: number,
): Promise<CompactionWrite[]> {
  const prefix = blocksPrefix(schema.id);
  const deletes: CompactionWrite[] = [];
  const puts = new Map<string, CompactionWrite>();
  const emit = (chunk: readonly StoredRow[]): void => {
    const key = concatBytes(prefix, (chunk[0] as StoredRow).key);
    puts.set(Buffer.from(key).toString('latin1'), { key, value: encodeBlock(schema, chunk) });
  };
  let pending: StoredRow[] = [];
  for await (const batch of source.range(prefix, afterPrefix(prefix), false, 16)) {
    for (const block of batch) {
      deletes.push({ key: block.key, value: null });
      pending.push(...decodeBlock(schema, block.value));
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
