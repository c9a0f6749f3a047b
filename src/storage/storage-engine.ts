import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { assert, ChronosError, yieldToEventLoop } from '../lib/index.js';
import { ByteReader, ByteWriter, compareBytes, startsWith } from './bytes.js';
import { CatalogView, EMPTY_CATALOG, decodeIdCounters, decodeTableSchema } from './catalog.js';
import type { CatalogState } from './catalog.js';
import {
  afterPrefix,
  blocksPrefix,
  CATALOG_END,
  CATALOG_PREFIX,
  DROPPED_RANGES_PREFIX,
  META_APPLIED_INDEX,
  META_ID_COUNTERS,
  META_IMPORT_MARKER,
  namedValueKey,
  prefixEnd,
  rowsPrefix,
} from './keys.js';
import { SnapshotSource, VIEW } from './kv-source.js';
import { openFailureReason } from './level-lock.js';
import type { LevelDatabase } from './kv-source.js';
import { readSnapshotStream, writeSnapshotStream } from './snapshot-format.js';
import { TableReader } from './table-reader.js';
import { CLEAR_KEYS_PER_STEP, nextClearStep } from './dropped-ranges.js';
import { compactTableBlocks, compactWindow } from './compaction.js';
import type { CompactionCursor } from './compaction.js';
import { ROW_LAYOUT, tableLayout } from './table-layout.js';
import { TombstoneSweep } from './tombstone-sweep.js';
import type { ColumnarRanges } from './tombstone-sweep.js';
import type { LayoutOptions } from './table-layout.js';
import { LevelWriteTransaction } from './write-transaction.js';
import { MarkFreeTables } from './transaction-host.js';
import type { CommitRequest, TransactionHost } from './transaction-host.js';
import type {
  CompactionStepOutcome, RowKey, StateExport, StorageEngine, StorageReader, WriteTransaction,
} from './engine.js';
import { RowStore } from './row-store.js';
import type { Catalog, TableSchema } from './schema.js';

/** Where the engine keeps its data: a classic-level directory, or any abstract-level database. */
export type StorageOptions = ({ readonly dir: string } | { readonly level: LevelDatabase }) & {
  /** Block and head sizes; tests shrink them so folds happen often. */
  readonly layout?: LayoutOptions;
};

/** Import writes go to LevelDB in batches of this many entries. */
const IMPORT_BATCH_ENTRIES = 1000;

/** Writes, and bytes, a commit hands to LevelDB's batch between turns of the event loop. */
const COMMIT_WRITES_PER_TURN = 8_192;
const COMMIT_BYTES_PER_TURN = 4 * 1024 * 1024;

/** A consistent read-only view: one LevelDB snapshot plus the catalog of that moment. */
class SnapshotReader extends TableReader implements StorageReader {
  readonly catalog: Catalog;
  readonly #snapshot: SnapshotSource;

  constructor(snapshot: SnapshotSource, catalog: Catalog, lastRowKeys: ReadonlyMap<number, RowKey | null>) {
    super(snapshot, new RowStore(snapshot, snapshot, undefined, lastRowKeys));
    this.#snapshot = snapshot;
    this.catalog = catalog;
  }

  protected catalogNow(): Catalog {
    return this.catalog;
  }

  async close(): Promise<void> {
    await this.#snapshot.close();
  }
}

interface LoadedState {
  readonly appliedIndex: number;
  readonly catalog: CatalogState;
  /** A dropped table or index has keys left to clear. */
  readonly droppedRangesLeft: boolean;
}

async function loadState(db: LevelDatabase): Promise<LoadedState> {
  const source = new SnapshotSource(db, db.snapshot());
  try {
    if ((await source.get(META_IMPORT_MARKER)) !== undefined) {
      throw new ChronosError(
        'CORRUPTION',
        'a snapshot import was interrupted: the data dir is incomplete; restore it from a snapshot',
        { details: { key: 'import-in-progress' } },
      );
    }
    const applied = await source.get(META_APPLIED_INDEX);
    const appliedIndex =
      applied === undefined ? 0 : new ByteReader(applied, 'applied index').varint();
    const counters = await source.get(META_ID_COUNTERS);
    const ids = counters === undefined ? EMPTY_CATALOG : decodeIdCounters(counters);
    const tables = new Map<string, TableSchema>();
    for await (const batch of source.range(CATALOG_PREFIX, CATALOG_END, false)) {
      for (const entry of batch) {
        const table = decodeTableSchema(entry.value);
        assert(
          table.id < ids.nextTableId,
          `table ${table.name} id ${table.id} not below the id counter`,
        );
        tables.set(table.name, table);
      }
    }
    return {
      appliedIndex,
      catalog: { tables, nextTableId: ids.nextTableId, nextIndexId: ids.nextIndexId },
      droppedRangesLeft: (await source.first(DROPPED_RANGES_PREFIX, prefixEnd(DROPPED_RANGES_PREFIX), false)) !== undefined,
    };
  } finally {
    await source.close();
  }
}

async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await directoryBytes(path);
    else if (entry.isFile()) total += (await stat(path)).size;
  }
  return total;
}

/** The StorageEngine over an abstract-level database (one entry per row; see DESIGN.md). */
class LevelStorageEngine implements StorageEngine, TransactionHost {
  readonly #db: LevelDatabase;
  readonly #dir: string | undefined;
  #appliedIndex: number;
  #catalog: CatalogState;
  /** Bumped by every commit and import; a transaction begun at another version may not commit. */
  #version = 0;
  /**
   * Each table's greatest row key as of the last commit, where known: a new transaction starts
   * from it, so an insert above it (an append) needs no LevelDB seek to know its key is new.
   */
  #lastRowKeys: ReadonlyMap<number, RowKey | null> = new Map();
  readonly markFreeTables = new MarkFreeTables();
  /** Where the next background compaction step starts (null: the first columnar table). */
  #compactionCursor: CompactionCursor | null = null;
  readonly #sweep: TombstoneSweep;
  #rangesOf: { readonly catalog: CatalogState; readonly ranges: ColumnarRanges } | null = null;
  #pendingWrite: Promise<void> = Promise.resolve();
  #writing = false;
  /** Dropped tables or indexes have keys left to clear. */
  #droppedRangesLeft: boolean;
  #droppedKeysCleared = 0;
  /** Snapshot imports since open (a clearing step read before one must not write). */
  #imports = 0;

  readonly #layout: LayoutOptions;

  constructor(
    db: LevelDatabase,
    dir: string | undefined,
    state: LoadedState,
    layout: LayoutOptions,
  ) {
    assert(
      Number.isSafeInteger(layout.blockRows) && layout.blockRows >= 1 && layout.headEntriesMax >= 1,
      'layout sizes must be positive',
    );
    this.#layout = layout;
    this.#db = db;
    this.#sweep = new TombstoneSweep(db, layout.sweepAfterGarbage);
    this.#dir = dir;
    this.#appliedIndex = state.appliedIndex;
    this.#catalog = state.catalog;
    this.#droppedRangesLeft = state.droppedRangesLeft;
  }

  get appliedIndex(): number {
    return this.#appliedIndex;
  }

  get catalog(): Catalog {
    return new CatalogView(this.#catalog);
  }

  async reader(): Promise<StorageReader> {
    await this.#pendingWrite;
    // Snapshot and catalog are taken in the same synchronous step, so they match.
    return new SnapshotReader(
      new SnapshotSource(this.#db, this.#db.snapshot()),
      new CatalogView(this.#catalog),
      this.#lastRowKeys,
    );
  }

  async begin(): Promise<WriteTransaction> {
    await this.#pendingWrite;
    const source = new SnapshotSource(this.#db, this.#db.snapshot());
    return new LevelWriteTransaction(this, source, this.#catalog, this.#version, this.#layout, this.#lastRowKeys);
  }

  async commitTransaction(request: CommitRequest): Promise<void> {
    assert(Number.isSafeInteger(request.appliedIndex), `applied index must be an integer`);
    assert(
      request.appliedIndex > this.#appliedIndex,
      `applied index must increase: ${request.appliedIndex} after ${this.#appliedIndex}`,
    );
    if (this.#writing || request.baseVersion !== this.#version) {
      throw new ChronosError(
        'TRANSACTION_STATE',
        'another commit happened since this transaction began',
      );
    }
    await this.#write(async () => {
      // A chained batch hands each write to LevelDB as it is added: an array batch would clone
      // and re-validate every operation first, which dominates a 100k-row statement's commit.
      const batch = this.#db.batch();
      const blockPrefixes = this.#columnarRanges().blocks.map(([start]) => start);
      let garbage = 0;
      let handed = 0;
      let bytes = 0;
      for (const write of request.writes) {
        // Readers and the next writer wait for this commit anyway; Raft's heartbeats need not:
        // a 240-million-character INSERT ... SELECT held the loop 1.5 s here in one piece
        // (LevelDB copies each value into its batch as it comes).
        bytes += write.key.length + (write.value?.length ?? 0);
        if (++handed % COMMIT_WRITES_PER_TURN === 0 || bytes > COMMIT_BYTES_PER_TURN) {
          bytes = 0;
          await yieldToEventLoop();
        }
        if (write.value === null) {
          batch.del(write.key);
          garbage++;
        } else {
          batch.put(write.key, write.value);
          // A block is rewritten whole as rows append to it: each put leaves an old version.
          if (blockPrefixes.length > 0 && blockPrefixes.some((prefix) => startsWith(write.key, prefix))) garbage++;
        }
      }
      this.#sweep.noteGarbage(garbage);
      batch.put(META_APPLIED_INDEX, new ByteWriter(10).varint(request.appliedIndex).finish());
      await batch.write({ sync: request.sync });
      this.#appliedIndex = request.appliedIndex;
      this.#catalog = request.catalog;
      this.#lastRowKeys = request.lastRowKeys;
      if (request.rangesDropped) this.#droppedRangesLeft = true;
    });
  }

  /** Run one write at a time; readers and new transactions wait for it. */
  async #write(action: () => Promise<void>): Promise<void> {
    this.#writing = true;
    this.#version++;
    const done = (async () => {
      try {
        await action();
      } finally {
        this.#writing = false;
      }
    })();
    this.#pendingWrite = done.catch(() => undefined);
    await done;
  }

  /**
   * One bounded step of background compaction: the next window of at most `maxBlocks` blocks
   * of a columnar table (going round the tables from where the last step stopped) is merged
   * into full blocks when that saves blocks. Runs as a write, so the caller must not hold an
   * open transaction; returns the blocks read and the blocks it removed.
   */
  async compactStep(maxBlocks: number): Promise<CompactionStepOutcome> {
    await this.#pendingWrite;
    this.#sweep.beginStep();
    let outcome = { blocksRead: 0, blocksRemoved: 0 };
    // Clearing what a DROP left comes first; the pass goes on once nothing is left.
    if (this.#droppedRangesLeft && await this.#clearDroppedStep()) return { ...outcome, passEnded: false, sweepPending: true };
    // Without a columnar table there is nothing to do: no write, no version bump.
    if (![...this.#catalog.tables.values()].some((t) => tableLayout(t).foldsHead)) return { ...outcome, passEnded: true, sweepPending: false };
    await this.#write(async () => {
      const tables = [...this.#catalog.tables.values()].filter((t) => tableLayout(t).foldsHead).sort((a, b) => a.id - b.id);
      const at = this.#compactionCursor;
      const table = tables.find((t) => t.id >= (at?.tableId ?? 0)) ?? tables[0];
      if (table === undefined) return;
      const from = at !== null && at.tableId === table.id ? at.after : null;
      const source = new SnapshotSource(this.#db, this.#db.snapshot());
      try {
        const window = await compactWindow(source, table, this.#layout, from, maxBlocks);
        if (window.writes.length > 0) {
          this.#sweep.noteGarbage(window.writes.filter((write) => write.value === null).length);
          await this.#db.batch(window.writes.map((write) => (write.value === null
            ? { type: 'del' as const, key: write.key }
            : { type: 'put' as const, key: write.key, value: write.value })), VIEW);
        }
        outcome = { blocksRead: window.blocksRead, blocksRemoved: window.blocksRead - window.blocksAfter };
        const following = tables.find((t) => t.id > table.id);
        this.#compactionCursor = window.next !== null ? { tableId: table.id, after: window.next }
          : following === undefined ? null : { tableId: following.id, after: null };
      } finally {
        await source.close();
      }
    });
    const passEnded = this.#compactionCursor === null;
    this.#sweep.noteWindow(outcome.blocksRead, outcome.blocksRemoved);
    this.#sweep.afterStep(this.#columnarRanges(), passEnded);
    return { ...outcome, passEnded, sweepPending: this.#sweep.pending };
  }

  /** One bounded step of clearing dropped ranges; true when there was something to clear. */
  async #clearDroppedStep(): Promise<boolean> {
    // Read beside applies; only the batch waits its turn, and is dropped if an import replaced the state.
    const imports = this.#imports;
    const step = await nextClearStep(this.#db, CLEAR_KEYS_PER_STEP);
    if (step === null) {
      this.#droppedRangesLeft = false;
      return false;
    }
    await this.#write(async () => {
      if (this.#imports !== imports) return;
      await this.#db.batch(step.writes, VIEW);
      this.#droppedRangesLeft = step.rangesLeft;
      this.#droppedKeysCleared += step.keysCleared;
      if (step.cleared !== null) this.#sweep.sweepCleared(...step.cleared);
    });
    return true;
  }

  /** Keys of dropped tables and indexes cleared since open, and whether any are left. */
  get droppedClearing(): { readonly keysCleared: number; readonly pending: boolean } {
    return { keysCleared: this.#droppedKeysCleared, pending: this.#droppedRangesLeft };
  }

  /** LevelDB compactions run after block compaction deleted many blocks (see TombstoneSweep). */
  get tombstoneSweeps(): { readonly completed: number; readonly running: boolean } {
    return { completed: this.#sweep.completed, running: this.#sweep.running };
  }

  /** The head and block key ranges of every columnar table (kept until the catalog changes). */
  #columnarRanges(): ColumnarRanges {
    if (this.#rangesOf?.catalog === this.#catalog) return this.#rangesOf.ranges;
    const tables = [...this.#catalog.tables.values()].filter((t) => tableLayout(t).foldsHead);
    const range = (prefix: Uint8Array): [Uint8Array, Uint8Array] => [prefix, afterPrefix(prefix)];
    const ranges = { heads: tables.map((t) => range(rowsPrefix(t.id))), blocks: tables.map((t) => range(blocksPrefix(t.id))) };
    this.#rangesOf = { catalog: this.#catalog, ranges };
    return ranges;
  }

  async compact(): Promise<void> {
    await this.#pendingWrite;
    await this.#write(async () => {
      const source = new SnapshotSource(this.#db, this.#db.snapshot());
      try {
        for (const table of this.#catalog.tables.values()) {
          if (!tableLayout(table).foldsHead) continue;
          const writes = await compactTableBlocks(source, table, this.#layout);
          await this.#db.batch(
            writes.map((write) =>
              write.value === null
                ? { type: 'del' as const, key: write.key }
                : { type: 'put' as const, key: write.key, value: write.value },
            ),
            VIEW,
          );
        }
      } finally {
        await source.close();
      }
      const level = this.#db as { compactRange?: (start: Uint8Array, end: Uint8Array, options: typeof VIEW) => Promise<void> };
      if (typeof level.compactRange === 'function') {
        await level.compactRange.call(this.#db, new Uint8Array(0), Uint8Array.of(0xff, 0xff), VIEW);
      }
    });
  }

  async sizeBytes(): Promise<number> {
    if (this.#dir !== undefined) return directoryBytes(this.#dir);
    let total = 0;
    for await (const [key, value] of this.#db.iterator(VIEW)) {
      total += (key as Uint8Array).length + (value as Uint8Array).length;
    }
    return total;
  }

  async *exportSnapshot(): AsyncIterable<Uint8Array> {
    const { chunks } = await this.openExport();
    yield* chunks;
  }

  async openExport(): Promise<StateExport> {
    await this.#pendingWrite;
    // Index and LevelDB snapshot are taken in the same synchronous step, so they match.
    const source = new SnapshotSource(this.#db, this.#db.snapshot());
    return { index: this.#appliedIndex, chunks: streamAndRelease(source) };
  }

  async importSnapshot(chunks: AsyncIterable<Uint8Array>, namedValues: ReadonlyMap<string, Uint8Array> = new Map()): Promise<void> {
    const entries = await readSnapshotStream(chunks);
    for (const entry of entries) {
      if (compareBytes(entry.key, META_IMPORT_MARKER) === 0) {
        throw new ChronosError('CORRUPTION', 'snapshot rejected: it contains an import marker');
      }
    }
    await this.#pendingWrite;
    if (this.#writing)
      throw new ChronosError('TRANSACTION_STATE', 'import while a commit is running');
    await this.#write(async () => {
      // The marker goes first and is cleared last: a crash in between is seen by the next open.
      const synced = { ...VIEW, sync: true };
      await this.#db.put(META_IMPORT_MARKER, new Uint8Array(0), synced);
      await this.#db.clear({ ...VIEW, lt: META_IMPORT_MARKER });
      await this.#db.clear({ ...VIEW, gt: META_IMPORT_MARKER });
      for (let start = 0; start < entries.length; start += IMPORT_BATCH_ENTRIES) {
        const slice = entries.slice(start, start + IMPORT_BATCH_ENTRIES);
        await this.#db.batch(
          slice.map((entry) => ({ type: 'put' as const, key: entry.key, value: entry.value })),
          VIEW,
        );
      }
      // Written with the image, before the marker goes: a crash leaves both or neither.
      if (namedValues.size > 0) {
        await this.#db.batch([...namedValues].map(([name, value]) => ({ type: 'put' as const, key: namedValueKey(name), value })), VIEW);
      }
      await this.#db.del(META_IMPORT_MARKER, synced);
      const state = await loadState(this.#db);
      this.#appliedIndex = state.appliedIndex;
      this.#catalog = state.catalog;
      this.#lastRowKeys = new Map();
      this.#droppedRangesLeft = state.droppedRangesLeft;
      this.#imports++;
      this.markFreeTables.reset();
    });
  }

  async close(): Promise<void> {
    await this.#pendingWrite;
    await this.#sweep.close();
    await this.#db.close();
  }
}

/** Open (creating if needed) the storage engine of a data dir or an abstract-level database. */
export async function openStorage(options: StorageOptions): Promise<StorageEngine> {
  const dir = 'dir' in options ? options.dir : undefined;
  const db: LevelDatabase =
    'dir' in options ? new ClassicLevel<Uint8Array, Uint8Array>(options.dir, VIEW) : options.level;
  try {
    await db.open();
  } catch (error) {
    throw new ChronosError(
      'IO_ERROR',
      `cannot open storage${dir === undefined ? '' : ` in ${dir}`}: ${openFailureReason(error)}`,
      {
        cause: error,
        details: { dir: dir ?? null },
      },
    );
  }
  if (!db.supports.explicitSnapshots) {
    await db.close();
    throw new ChronosError('CONFIG_ERROR', 'the storage database must support explicit snapshots');
  }
  try {
    return new LevelStorageEngine(db, dir, await loadState(db), options.layout ?? ROW_LAYOUT);
  } catch (error) {
    await db.close();
    throw error;
  }
}

/** The image of a LevelDB snapshot, released once iteration ends (or stops early). */
async function* streamAndRelease(source: SnapshotSource): AsyncIterable<Uint8Array> {
  try {
    yield* writeSnapshotStream(source);
  } finally {
    await source.close();
  }
}
