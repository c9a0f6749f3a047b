import type { IndexBuildPass } from './index-build.js';
import type { Catalog, ColumnSchema, TableDefinition, TableSchema } from './schema.js';
import type { Row, SqlValue } from './values.js';
import type { EncodedRows } from './encoded-rows.js';
import type { BlockColumns } from './block-columns.js';

/** Opaque, order-preserving encoding of a row's primary key (or hidden row id). */
export type RowKey = Uint8Array;

/** A row as read from storage. */
export interface StoredRow {
  readonly key: RowKey;
  readonly values: Row;
  /** When the row was inserted (ms since epoch, fixed by the leader): TTL and AVG_1H use it. */
  readonly insertedAtMs: number;
}

/** One end of a key range. `values` may be a prefix of the key's columns. */
export interface KeyBound {
  readonly values: readonly SqlValue[];
  readonly inclusive: boolean;
}

/**
 * A range over a primary key or an index key, compared as tuples in column order.
 * A bound with fewer values than columns bounds the prefix (an inclusive lower prefix bound
 * admits every key starting with it).
 */
export interface KeyRange {
  readonly lower?: KeyBound;
  readonly upper?: KeyBound;
}

/**
 * Rows as columns: `columns[p]` holds column p's value for each of the `length` rows (NULLs in
 * place) for the positions a column scan asked for, undefined for the others.
 */
export interface ColumnBatch {
  readonly length: number;
  readonly columns: readonly (ArrayLike<SqlValue> | undefined)[];
  /** When each row was inserted (ms since epoch). */
  readonly times: ArrayLike<number>;
}

/** Options of a scan. */
export interface ScanOptions {
  readonly reverse?: boolean;
}

/**
 * Consistent reads at one point in time. Scans yield rows in batches (hundreds at a time) in
 * key order; the executor never sees how rows are laid out in LevelDB.
 */
export interface StorageReader {
  readonly catalog: Catalog;
  /** Rows of `table` whose primary key is in `range`, in primary-key order. */
  scan(table: string, range?: KeyRange, options?: ScanOptions): AsyncIterable<readonly StoredRow[]>;
  /**
   * The rows `scan` would give, in no particular order, as column batches holding only the
   * columns at `positions`: column blocks decode straight into them, no row object each. A
   * position also in `presenceOnly` may read `true` for any non-NULL value (COUNT needs no more).
   */
  scanColumns(table: string, positions: readonly number[], range?: KeyRange, presenceOnly?: readonly number[]): AsyncIterable<ColumnBatch>;
  /** Rows of `table` whose `index` key is in `range`, in index order (ties by primary key). */
  scanIndex(table: string, index: string, range?: KeyRange): AsyncIterable<readonly StoredRow[]>;
  /** Rows of `table` that expired at or before `nowMs` (insertedAtMs + ttl <= nowMs). */
  scanExpired(table: string, nowMs: number): AsyncIterable<readonly StoredRow[]>;
  /** The row with this full primary key, if present (tables with a PRIMARY KEY only). */
  get(table: string, primaryKey: readonly SqlValue[]): Promise<StoredRow | undefined>;
  /** A value another layer keeps by name in the same atomic batches (undefined if never set). */
  getNamedValue(name: string): Promise<Uint8Array | undefined>;
  /** Up to `limit` named values whose names start with `prefix` and sort after `after`, in name order. */
  namedValuesWithPrefix(prefix: string, after: string | null, limit: number): Promise<NamedValue[]>;
  /** Release the snapshot. Idempotent. */
  close(): Promise<void>;
}

/** An entry of a table's dedupe index, its key without the table's prefix. */
export interface DedupeEntry {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

/** A value kept by name (see StorageReader.getNamedValue). */
export interface NamedValue {
  readonly name: string;
  readonly value: Uint8Array;
}

/**
 * A row a write statement stored or removed, as `observeRowChanges` reports it: `values` are the
 * row as it now is (`put`) or as it was (`delete`).
 */
export interface RowChange {
  readonly table: TableSchema;
  readonly kind: 'insert' | 'update' | 'delete';
  readonly values: Row;
}

/** Marks a point inside a write transaction that `rollbackTo` can return to. */
export type Savepoint = number;

/**
 * A write transaction: an in-memory overlay over a consistent snapshot. Reads through it see
 * its own writes. Nothing reaches disk until `commit`, which writes one atomic batch together
 * with the applied index. Constraint checks (types, NOT NULL, duplicate primary key) throw
 * typed ChronosErrors and leave the transaction as it was before the failing call.
 */
export interface WriteTransaction extends StorageReader {
  createTable(definition: TableDefinition): TableSchema;
  dropTable(name: string): Promise<void>;
  /**
   * Create an index and index the first `rowsMax` (INDEX_BUILD_ROWS_PER_PASS) existing rows; past
   * them the index stays building (unused by reads) until buildIndexStep passes reach the last row.
   */
  createIndex(table: string, name: string, columns: readonly string[], rowsMax?: number): Promise<IndexBuildPass>;
  /** Continues the build of the building index of lowest id by up to `rowsMax` rows; undefined: none building. */
  buildIndexStep(rowsMax: number): Promise<IndexBuildPass | undefined>;
  dropIndex(name: string): Promise<void>;
  /**
   * Append `column` to `table` and return the new schema. Costs O(1) whatever the table's
   * size and layout: no row is rewritten, rows and column blocks written before read NULL in
   * it. A NOT NULL column is refused (NOT_NULL_VIOLATION) unless the table is empty, as in
   * PostgreSQL without a DEFAULT. This is how a new field of a line-protocol write (or
   * `ALTER TABLE ADD COLUMN`) adds a column.
   */
  addColumn(table: string, column: ColumnSchema): Promise<TableSchema>;
  /**
   * Remove a column: every row of the table is re-encoded without it in this transaction
   * (cost proportional to the table). Indexes over the column are dropped with it (their names
   * are returned); a PRIMARY KEY column, or a table's only column, is refused.
   */
  dropColumn(table: string, column: string): Promise<readonly string[]>;
  /** Rename a table (catalog only: keys use the table's id). */
  renameTable(from: string, to: string): TableSchema;
  /** Rename a column of `table` (catalog only: rows store values by position). */
  renameColumn(table: string, from: string, to: string): TableSchema;
  /** Insert a full row (values in column order). Tables without a PRIMARY KEY get the next row id. */
  insert(table: string, values: Row, insertedAtMs: number): Promise<RowKey>;
  /**
   * Inserts `rows` in order with the checks and effects of `insert` on each; all or nothing (a
   * duplicate key rolls the whole call back). The bulk path of a multi-row INSERT.
   */
  insertMany(table: string, rows: readonly Row[], insertedAtMs: number): Promise<void>;
  /**
   * Stores rows encoded ahead (see EncodedRows) when that is exactly what insertMany would do:
   * same schema object, every key new, nobody observing row changes. False, with nothing
   * written, otherwise: the caller then inserts them the ordinary way.
   */
  insertEncoded(rows: EncodedRows): Promise<boolean>;
  /**
   * Appends rows, given as columns, to a table without PRIMARY KEY as column blocks written at
   * once, not as a head entry each (whatever the table's layout: reads merge blocks and head
   * alike), for bulk appends of time-series rows. False, with nothing written, when the table
   * has an index or a TTL or someone observes row changes: the caller then uses insertMany.
   */
  insertAsBlocks(table: string, columns: BlockColumns, insertedAtMs: number): Promise<boolean>;
  /**
   * Replace the values of the row at `key` (a changed primary key moves the row). `read`: the
   * row as this transaction read it (an UPDATE's match), to spare a read unless it wrote the key since.
   */
  update(table: string, key: RowKey, values: Row, read?: StoredRow): Promise<void>;
  delete(table: string, key: RowKey): Promise<void>;
  /**
   * Deletes the rows at `keys` (each must exist), all or nothing, as `delete` each would; a
   * column block all of whose rows go is dropped whole (TTL sweeps of time-series tables).
   */
  deleteMany(table: string, keys: readonly RowKey[]): Promise<void>;
  /**
   * Deletes rows as this transaction read them (a DELETE's matches), as deleteMany of their
   * keys would, without reading each row again; a row whose key it wrote since is read anew.
   */
  deleteRows(table: string, rows: readonly StoredRow[]): Promise<void>;
  /**
   * Per mark, whether `table` holds it: marks are the per-reading dedupe set older versions
   * kept (nothing writes them now; they live and die with the table).
   */
  marked(table: string, marks: readonly Uint8Array[]): Promise<boolean[]>;
  /** Whether `table` holds any mark (see `marked`). */
  hasMarks(table: string): Promise<boolean>;
  /**
   * Values of `table`'s dedupe index entries at `keys` (undefined where absent). The index is
   * a keyspace of the table whose keys and values the layer above formats (ingest keeps the
   * readings it stored there); it lives and dies with the table, and commits with the rows.
   */
  getDedupeEntries(table: string, keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]>;
  /** The dedupe index entry of `table` with the smallest (`last`: greatest) key in [gte, lt), if any. */
  edgeDedupeEntry(table: string, gte: Uint8Array, lt: Uint8Array, last: boolean): Promise<DedupeEntry | undefined>;
  /** Sets a dedupe index entry of `table`. */
  putDedupeEntry(table: string, key: Uint8Array, value: Uint8Array): void;
  /** Sets a named value (see StorageReader.getNamedValue). */
  putNamedValue(name: string, value: Uint8Array): void;
  /** Removes a named value (nothing if absent). */
  deleteNamedValue(name: string): void;
  /**
   * Calls `observer` for every row insert, update and delete made through this transaction's
   * row methods from now on (null stops it); a statement rolled back to a savepoint has its
   * changes reported anyway, so the caller discards what it kept for that statement.
   */
  observeRowChanges(observer: ((change: RowChange) => void) | null): void;
  savepoint(): Savepoint;
  /** Undo everything done after `savepoint` (used to keep a failing statement atomic). */
  rollbackTo(savepoint: Savepoint): void;
  /**
   * Write everything atomically with `appliedIndex` (must exceed the engine's). With `sync`
   * the batch is fsynced before the promise resolves.
   */
  commit(appliedIndex: number, options?: { readonly sync?: boolean }): Promise<void>;
  /** Discard the transaction. */
  rollback(): Promise<void>;
}

/** What one background compaction step did. */
export interface CompactionStepOutcome {
  readonly blocksRead: number;
  readonly blocksRemoved: number;
  /** The step reached the end of the last columnar table: the next one starts a new pass. */
  readonly passEnded: boolean;
  /** Deletes and rewritten blocks not yet swept from LevelDB's memtable: another pass will. */
  readonly sweepPending: boolean;
}

/** An export opened at one applied index (StorageEngine.openExport). */
export interface StateExport {
  readonly index: number;
  readonly chunks: AsyncIterable<Uint8Array>;
}

/** The embedded storage engine of one data dir. */
export interface StorageEngine {
  /** Index of the last command whose effects are stored (0 for a new database). */
  readonly appliedIndex: number;
  /** The tables and indexes as of the last commit. */
  readonly catalog: Catalog;
  /** A consistent reader at the latest committed state. */
  reader(): Promise<StorageReader>;
  /** A write transaction over the latest committed state. Commits must not overlap. */
  begin(): Promise<WriteTransaction>;
  /**
   * Merge the column blocks of columnar tables into full blocks and let LevelDB compact its
   * files. Contents and the applied index are unchanged; transactions begun before it cannot
   * commit (TRANSACTION_STATE). A maintenance step (benchmarks, operators), not needed for reads.
   */
  compact(): Promise<void>;
  /**
   * One bounded step of background compaction (at most `maxBlocks` blocks read); the caller
   * holds no open transaction.
   */
  compactStep(maxBlocks: number): Promise<CompactionStepOutcome>;
  /** LevelDB compactions started after block compaction deleted many blocks: finished, and one running. */
  readonly tombstoneSweeps: { readonly completed: number; readonly running: boolean };
  /**
   * DROP TABLE and DROP INDEX leave their keys to background steps (compactStep clears them
   * first): keys cleared since open, and whether any dropped range is left.
   */
  readonly droppedClearing: { readonly keysCleared: number; readonly pending: boolean };
  /** Bytes the data dir occupies on disk. */
  sizeBytes(): Promise<number>;
  /** A consistent, self-describing stream of the whole state (for Raft and backups). */
  exportSnapshot(): AsyncIterable<Uint8Array>;
  /**
   * The state as of now, for a Raft snapshot: the applied index, and the image read lazily
   * (iterate it to the end, which releases it) from a LevelDB snapshot taken in the same
   * synchronous step, so writes committed after this resolves are not in it.
   */
  openExport(): Promise<StateExport>;
  /**
   * Replace the whole state with a stream produced by `exportSnapshot`; `namedValues` are
   * stored in the same atomic import (what the image's installer must find with it).
   */
  importSnapshot(chunks: AsyncIterable<Uint8Array>, namedValues?: ReadonlyMap<string, Uint8Array>): Promise<void>;
  close(): Promise<void>;
}
