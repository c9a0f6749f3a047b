import { appendAll } from '../lib/index.js';
import { bytesToMapKey, compareBytes, concatBytes } from './bytes.js';
import { blockExtent, decodeBlock, decodeBlockColumns } from './block-codec.js';
import { seriesOf } from './block-chunks.js';
import { rowsToColumnBatch } from './column-batch.js';
import type { ColumnBatch, RowKey, StoredRow } from './engine.js';
import { ROWS_PREFIX_BYTES, afterPrefix, blocksPrefix, rowsPrefix } from './keys.js';
import { successorKey } from './kv-source.js';
import type { KvSource } from './kv-source.js';
import type { Overlay } from './overlay.js';
import { decodeRow } from './row-codec.js';
import type { TableSchema } from './schema.js';
import { tableLayout } from './table-layout.js';

/** Blocks fetched per nextv() during scans (each holds up to a few thousand rows). */
const BLOCK_BATCH_ENTRIES = 4;
/** Decoded blocks kept per reader for point lookups (index scans hit the same blocks). */
const BLOCK_CACHE_MAX = 32;
/** Greater than every key byte: series ‖ FF bounds every key of the series. */
const SERIES_END = Uint8Array.of(0xff);
/** Rows per yielded batch when blocks and head are merged. */
const MERGED_BATCH_ROWS = 512;
/** The first merged batch is small, as the scan's first read (kv-source.ts): a LIMIT may stop there. */
const FIRST_MERGED_BATCH_ROWS = 64;

/**
 * Bytes of stored head rows per yielded merged batch: 512 rows of 16 MB each (text loaded
 * through `lpad`) made one batch of 8 GB, and `SELECT count(*)` ran the node out of heap.
 */
const MERGED_BATCH_BYTES = 1 << 20;

/** A head entry: a row, or null when the head records a delete. */
interface HeadItem {
  readonly key: RowKey;
  readonly row: StoredRow | null;
}

/** Items read together, and the bytes they were stored in. */
interface SizedBatch<T> {
  readonly items: readonly T[];
  readonly bytes: number;
}

/** Pulls batches from an async iterable one at a time and serves items synchronously. */
class Cursor<T> {
  readonly #iterator: AsyncIterator<SizedBatch<T>>;
  buffer: readonly T[] = [];
  /** The stored bytes of the current batch per item: what a merged batch counts as it takes them. */
  bytesPerItem = 0;
  position = 0;
  done = false;

  constructor(source: AsyncIterable<SizedBatch<T>>) {
    this.#iterator = source[Symbol.asyncIterator]();
  }

  /** Make an item available unless exhausted; bounded by the source's batches. */
  async fill(): Promise<boolean> {
    while (this.position >= this.buffer.length) {
      if (this.done) return false;
      const next = await this.#iterator.next();
      if (next.done === true) {
        this.done = true;
        return false;
      }
      this.buffer = next.value.items;
      this.bytesPerItem = next.value.items.length === 0 ? 0 : next.value.bytes / next.value.items.length;
      this.position = 0;
    }
    return true;
  }

  async close(): Promise<void> {
    if (!this.done) await this.#iterator.return?.();
    this.done = true;
  }
}

/**
 * Rows of tables as stored: column-encoded blocks (10 tid 05 <first key>) under a head of
 * per-row entries (10 tid 01 <key>; an empty value is a delete). The head wins over blocks.
 * Invariant (kept by fold): blocks of a table never overlap in key range.
 */
export class RowStore {
  readonly #source: KvSource;
  readonly #blocks = new Map<string, StoredRow[]>();
  /** Per table id and series: see #lastBlockKeyOfSeries. */
  readonly #seriesLastBlockKey = new Map<string, RowKey | null>();
  /** Per table: last row key held in blocks (null = no blocks), for append fast paths. */
  readonly #lastBlockKey = new Map<number, RowKey | null>();

  /**
   * The snapshot under the transaction's writes (or the reader's own snapshot). Point reads of
   * blocks go here directly: blocks only change in the fold at commit, which invalidates this
   * store, so a transaction's pending writes never hold a block it could look up; and reading
   * through the overlay would re-sort its keys after every insert.
   */
  readonly #base: KvSource;
  /** Pending writes of a transaction, consulted before the snapshot. */
  readonly #pending: Overlay | undefined;
  /** Per table: greatest row key the snapshot holds (head or blocks); null = none. */
  readonly #lastStoredKey = new Map<number, RowKey | null>();
  /**
   * Tables whose blocks this transaction replaced (DROP COLUMN re-encodes every row): their
   * snapshot blocks are stale, so block reads go through the pending writes instead.
   */
  readonly #blocksReplaced = new Set<number>();

  constructor(source: KvSource, base: KvSource = source, pending?: Overlay,
    knownLastKeys?: ReadonlyMap<number, RowKey | null>) {
    this.#source = source;
    this.#base = base;
    this.#pending = pending;
    if (knownLastKeys !== undefined) for (const [table, key] of knownLastKeys) this.#lastStoredKey.set(table, key);
  }

  /** The greatest row key of each table this store knows for its snapshot (see lastKeyInSnapshot). */
  get knownLastKeys(): ReadonlyMap<number, RowKey | null> {
    return this.#lastStoredKey;
  }

  /** The greatest row key of `schema` in the snapshot (null = none): keys above it are new. */
  async lastKeyInSnapshot(schema: TableSchema): Promise<RowKey | null> {
    return this.#lastKeyInSnapshot(schema);
  }

  async #lastKeyInSnapshot(schema: TableSchema): Promise<RowKey | null> {
    const known = this.#lastStoredKey.get(schema.id);
    if (known !== undefined) return known;
    const prefix = rowsPrefix(schema.id);
    const head = await this.#base.first(prefix, afterPrefix(prefix), true);
    const headKey = head === undefined ? null : head.key.subarray(ROWS_PREFIX_BYTES);
    const blockKey = await this.#lastKeyInBlocks(schema);
    const last =
      headKey === null || (blockKey !== null && compareBytes(blockKey, headKey) > 0)
        ? blockKey
        : headKey;
    this.#lastStoredKey.set(schema.id, last);
    return last;
  }

  /** The source block reads use for `schema`: the snapshot unless its blocks were replaced. */
  #blockSource(schema: TableSchema): KvSource {
    return this.#blocksReplaced.has(schema.id) ? this.#source : this.#base;
  }

  /** From now on, read the blocks of table `tableId` through the pending writes (see above). */
  blocksReplaced(tableId: number): void {
    this.#blocksReplaced.add(tableId);
    this.invalidate();
  }

  /** Forget cached blocks (after the block set or a table's columns changed). */
  invalidate(): void {
    this.#blocks.clear();
    this.#lastBlockKey.clear();
    this.#seriesLastBlockKey.clear();
    this.#lastStoredKey.clear();
  }

  #decode(schema: TableSchema, key: Uint8Array, value: Uint8Array): StoredRow[] {
    const cacheKey = bytesToMapKey(key);
    const cached = this.#blocks.get(cacheKey);
    if (cached !== undefined) return cached;
    const rows = decodeBlock(schema, value);
    if (this.#blocks.size >= BLOCK_CACHE_MAX) this.#blocks.clear();
    this.#blocks.set(cacheKey, rows);
    return rows;
  }

  async #lastKeyInBlocks(schema: TableSchema): Promise<RowKey | null> {
    const known = this.#lastBlockKey.get(schema.id);
    if (known !== undefined) return known;
    const prefix = blocksPrefix(schema.id);
    const last = await this.#blockSource(schema).first(prefix, afterPrefix(prefix), true);
    const key = last === undefined ? null : blockExtent(schema, last.value).lastKey;
    this.#lastBlockKey.set(schema.id, key);
    return key;
  }

  /**
   * Greatest row key of `series` held in blocks (an upper bound: a block mixing series may end
   * beyond it), null when no block holds it; cached, so a transaction appending to a series
   * seeks once per series instead of once per insert.
   */
  async #lastBlockKeyOfSeries(schema: TableSchema, series: Uint8Array): Promise<RowKey | null> {
    const cacheKey = `${schema.id}:${bytesToMapKey(series)}`;
    const known = this.#seriesLastBlockKey.get(cacheKey);
    if (known !== undefined) return known;
    const prefix = blocksPrefix(schema.id);
    const seriesEnd = concatBytes(prefix, series, SERIES_END);
    const block = await this.#blockSource(schema).first(prefix, seriesEnd, true);
    const last = block === undefined ? null : blockExtent(schema, block.value).lastKey;
    const inSeries = last !== null && compareBytes(last, series) >= 0 ? last : null;
    this.#seriesLastBlockKey.set(cacheKey, inSeries);
    return inSeries;
  }

  async #blockRow(schema: TableSchema, rowKey: RowKey): Promise<StoredRow | undefined> {
    const last = await this.#lastKeyInBlocks(schema);
    if (last === null || compareBytes(rowKey, last) > 0) return undefined;
    const series = seriesOf(schema, rowKey);
    if (series !== undefined) {
      const lastOfSeries = await this.#lastBlockKeyOfSeries(schema, series);
      if (lastOfSeries === null || compareBytes(rowKey, lastOfSeries) > 0) return undefined;
    }
    const prefix = blocksPrefix(schema.id);
    const block = await this.#blockSource(schema).first(
      prefix,
      successorKey(concatBytes(prefix, rowKey)),
      true,
    );
    if (block === undefined) return undefined;
    // Appends per series land after their block's last key: answered from the header alone.
    if (compareBytes(rowKey, blockExtent(schema, block.value).lastKey) > 0) return undefined;
    const rows = this.#decode(schema, block.key, block.value);
    let low = 0;
    let high = rows.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareBytes((rows[middle] as StoredRow).key, rowKey) < 0) low = middle + 1;
      else high = middle;
    }
    const found = rows[low];
    return found !== undefined && compareBytes(found.key, rowKey) === 0 ? found : undefined;
  }

  /** The row at `rowKey`, if present. */
  async getRow(schema: TableSchema, rowKey: RowKey): Promise<StoredRow | undefined> {
    const fullKey = concatBytes(rowsPrefix(schema.id), rowKey);
    const pending = this.#pending?.lookup(fullKey);
    if (pending !== undefined) {
      return pending.value === null ? undefined : (toRow(schema, rowKey, pending.value) ?? undefined);
    }
    // A reader's point read of a row-layout table is one LevelDB get (it has no blocks): finding
    // the greatest key would cost more than the get, and pays off only for a writer's appends.
    if (this.#pending === undefined && !this.#lastStoredKey.has(schema.id) && !tableLayout(schema).foldsHead) {
      const stored = await this.#base.get(fullKey);
      return stored === undefined ? undefined : (toRow(schema, rowKey, stored) ?? undefined);
    }
    // Appends (time-series keys) land after everything stored: no LevelDB read needed.
    const last = await this.#lastKeyInSnapshot(schema);
    if (last === null || compareBytes(rowKey, last) > 0) return undefined;
    const head = await this.#base.get(fullKey);
    if (head !== undefined) return toRow(schema, rowKey, head) ?? undefined;
    return this.#blockRow(schema, rowKey);
  }

  /** The rows at `rowKeys` (undefined where absent), in the same order. */
  async getRows(
    schema: TableSchema,
    rowKeys: readonly RowKey[],
  ): Promise<(StoredRow | undefined)[]> {
    const prefix = rowsPrefix(schema.id);
    const heads = await this.#source.getMany(rowKeys.map((rowKey) => concatBytes(prefix, rowKey)));
    const out: (StoredRow | undefined)[] = [];
    for (let i = 0; i < rowKeys.length; i++) {
      const rowKey = rowKeys[i] as RowKey;
      const head = heads[i];
      out.push(
        head !== undefined
          ? (toRow(schema, rowKey, head) ?? undefined)
          : await this.#blockRow(schema, rowKey),
      );
    }
    return out;
  }

  /** Head entries (rows and deletes) with low <= key < high, in scan order. */
  async *headItems(
    schema: TableSchema,
    low: Uint8Array,
    high: Uint8Array,
    reverse: boolean,
  ): AsyncIterable<readonly HeadItem[]> {
    for await (const batch of this.#sizedHeadItems(schema, low, high, reverse)) yield batch.items;
  }

  /** headItems, each batch with the bytes its entries were stored in. */
  async *#sizedHeadItems(
    schema: TableSchema, low: Uint8Array, high: Uint8Array, reverse: boolean,
  ): AsyncIterable<SizedBatch<HeadItem>> {
    const prefix = rowsPrefix(schema.id);
    if (reverse && tableLayout(schema).foldsHead) {
      // A folding table's head is small, but LevelDB steps backwards through its memtable with
      // a search per step, past every key folds deleted: read it forwards, hand it out reversed.
      const all: HeadItem[] = [];
      let bytes = 0;
      for await (const batch of this.#sizedHeadItems(schema, low, high, false)) {
        appendAll(all, batch.items);
        bytes += batch.bytes;
      }
      if (all.length > 0) yield { items: all.reverse(), bytes };
      return;
    }
    for await (const batch of this.#source.range(concatBytes(prefix, low), concatBytes(prefix, high), reverse)) {
      let bytes = 0;
      const items = batch.map((entry) => {
        bytes += entry.value.length;
        const key = entry.key.subarray(ROWS_PREFIX_BYTES);
        return { key, row: toRow(schema, key, entry.value) };
      });
      yield { items, bytes };
    }
  }

  /** Rows held in blocks with low <= key < high, in scan order, a block at a time with its size. */
  async *blockRows(
    schema: TableSchema,
    low: Uint8Array,
    high: Uint8Array,
    reverse: boolean,
  ): AsyncIterable<SizedBatch<StoredRow>> {
    if (compareBytes(low, high) >= 0) return;
    const prefix = blocksPrefix(schema.id);
    const start = concatBytes(prefix, low);
    const end = concatBytes(prefix, high);
    const inRange = (row: StoredRow): boolean =>
      compareBytes(row.key, low) >= 0 && compareBytes(row.key, high) < 0;
    // The block starting before `low` may still hold keys in range.
    const before = await this.#source.first(prefix, start, true);
    if (!reverse && before !== undefined) {
      yield { items: this.#decode(schema, before.key, before.value).filter(inRange), bytes: before.value.length };
    }
    for await (const batch of this.#source.range(start, end, reverse, BLOCK_BATCH_ENTRIES)) {
      for (const block of batch) {
        const rows = this.#decode(schema, block.key, block.value).filter(inRange);
        yield { items: reverse ? rows.reverse() : rows, bytes: block.value.length };
      }
    }
    if (reverse && before !== undefined) {
      yield { items: this.#decode(schema, before.key, before.value).filter(inRange).reverse(), bytes: before.value.length };
    }
  }

  /**
   * Rows with low <= key < high as column batches, in no particular order: the head's rows,
   * then each block. A block no head entry falls inside (and wholly in range) decodes only the
   * wanted columns; any other is decoded to rows and filtered (the head wins over blocks).
   */
  async *scanColumns(
    schema: TableSchema,
    positions: readonly number[],
    low: Uint8Array,
    high: Uint8Array,
    presenceOnly: ReadonlySet<number> = new Set(),
  ): AsyncIterable<ColumnBatch> {
    const width = schema.columns.length;
    const prefix = blocksPrefix(schema.id);
    const hasBlocks = (await this.#source.first(prefix, afterPrefix(prefix), false)) !== undefined;
    // Head keys in order (the head scan is ordered), kept only to find what shadows a block.
    const headKeys: RowKey[] = [];
    for await (const batch of this.headItems(schema, low, high, false)) {
      const live: StoredRow[] = [];
      for (const item of batch) {
        if (hasBlocks) headKeys.push(item.key);
        if (item.row !== null) live.push(item.row);
      }
      if (live.length > 0) yield rowsToColumnBatch(live, positions, width);
    }
    if (!hasBlocks || compareBytes(low, high) >= 0) return;
    const inRange = (key: RowKey): boolean => compareBytes(key, low) >= 0 && compareBytes(key, high) < 0;
    const filtered = (key: Uint8Array, value: Uint8Array): ColumnBatch => rowsToColumnBatch(
      this.#decode(schema, key, value).filter((row) => inRange(row.key) && !holdsKey(headKeys, row.key)),
      positions, width);
    const start = concatBytes(prefix, low);
    const before = await this.#source.first(prefix, start, true);
    if (before !== undefined) yield filtered(before.key, before.value);
    for await (const batch of this.#source.range(start, concatBytes(prefix, high), false, BLOCK_BATCH_ENTRIES)) {
      for (const block of batch) {
        const first = block.key.subarray(prefix.length);
        const last = blockExtent(schema, block.value).lastKey;
        const shadow = headKeys[lowerBound(headKeys, first)];
        const whole = compareBytes(last, high) < 0 && (shadow === undefined || compareBytes(shadow, last) > 0);
        yield whole ? decodeBlockColumns(schema, block.value, positions, presenceOnly) : filtered(block.key, block.value);
      }
    }
  }

  /** Rows with low <= key < high: blocks merged with the head, the head winning. */
  async *scanRows(
    schema: TableSchema,
    low: Uint8Array,
    high: Uint8Array,
    reverse: boolean,
  ): AsyncIterable<readonly StoredRow[]> {
    const blocks = new Cursor(this.blockRows(schema, low, high, reverse));
    const head = new Cursor(this.#sizedHeadItems(schema, low, high, reverse));
    const direction = reverse ? -1 : 1;
    try {
      let out: StoredRow[] = [];
      let outBytes = 0;
      let batchRows = FIRST_MERGED_BATCH_ROWS;
      // Bounded: every round consumes at least one item of a finite snapshot.
      while ((await blocks.fill()) || (await head.fill())) {
        const hasBlock = await blocks.fill();
        const hasHead = await head.fill();
        if (hasBlock && !hasHead) {
          appendAll(out, blocks.buffer.slice(blocks.position));
          outBytes += (blocks.buffer.length - blocks.position) * blocks.bytesPerItem;
          blocks.position = blocks.buffer.length;
        }
        while (hasHead && head.position < head.buffer.length) {
          const item = head.buffer[head.position] as HeadItem;
          const stored = hasBlock ? blocks.buffer[blocks.position] : undefined;
          const order = stored === undefined ? -1 : compareBytes(item.key, stored.key) * direction;
          if (order > 0) {
            out.push(stored as StoredRow);
            outBytes += blocks.bytesPerItem;
            blocks.position++;
            if (blocks.position >= blocks.buffer.length) break;
            continue;
          }
          head.position++;
          if (order === 0) blocks.position++;
          if (item.row !== null) out.push(item.row);
          outBytes += head.bytesPerItem;
          if (hasBlock && blocks.position >= blocks.buffer.length) break;
          if (outBytes >= MERGED_BATCH_BYTES) break;
        }
        if (out.length >= batchRows || outBytes >= MERGED_BATCH_BYTES) {
          if (out.length > 0) yield out;
          out = [];
          outBytes = 0;
          batchRows = MERGED_BATCH_ROWS;
        }
      }
      if (out.length > 0) yield out;
    } finally {
      await blocks.close();
      await head.close();
    }
  }
}

/** The first position of `keys` (sorted) whose key is >= `key`. */
function lowerBound(keys: readonly RowKey[], key: RowKey): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareBytes(keys[middle] as RowKey, key) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

function holdsKey(keys: readonly RowKey[], key: RowKey): boolean {
  const found = keys[lowerBound(keys, key)];
  return found !== undefined && compareBytes(found, key) === 0;
}

function toRow(schema: TableSchema, key: RowKey, value: Uint8Array): StoredRow | null {
  if (value.length === 0) return null;
  const decoded = decodeRow(value);
  const values = decoded.values;
  // Rows written before ALTER TABLE ADD COLUMN are shorter: the added columns read NULL.
  for (let i = values.length; i < schema.columns.length; i++) values.push(null);
  return { key, values, insertedAtMs: decoded.insertedAtMs };
}
