import { appendAll, assert, ChronosError, yieldToEventLoop } from '../lib/index.js';
import { RewriteBudget } from './rewrite-budget.js';
import { BUILD_FROM_START, INDEX_BUILD_ROWS_PER_PASS, buildIndexPass, nextBuildingIndex } from './index-build.js';
import type { IndexBuildPass } from './index-build.js';
import { bytesToMapKey, compareBytes, concatBytes } from './bytes.js';
import { encodeIdCounters, encodeTableSchema } from './catalog.js';
import type { CatalogState } from './catalog.js';
import { TransactionCatalog } from './transaction-catalog.js';
import type { CatalogChange } from './transaction-catalog.js';
import {
  ROWS_PREFIX_BYTES, META_ID_COUNTERS, afterPrefix, blocksPrefix, catalogKey, indexPrefix,
  prefixEnd, rowsPrefix, tablePrefix, ttlKey, dedupeKey, namedValueKey, droppedRangeKey,
} from './keys.js';
import { foldHead } from './fold.js';
import { nextRowId, nextRowIds, reserveRowIds } from './row-ids.js';
import { droppedRangeValue } from './dropped-ranges.js';
import { checkedColumns, columnBlockEntries } from './block-columns.js';
import type { BlockColumns } from './block-columns.js';
import { DedupeSpace } from './dedupe-space.js';
import { wholeBlocksAmong } from './block-delete.js';
import { floatCompressionOf, ROW_LAYOUT } from './table-layout.js';
import type { LayoutOptions } from './table-layout.js';
import { Overlay, OverlaySource } from './overlay.js';
import { RowStore } from './row-store.js';
import { schemaWithColumn, schemaWithoutColumn, schemaWithRenamedColumn } from './alter-table.js';
import { buildTableSchema, duplicateKey, newIndexSchema } from './table-definition.js';
import type { SnapshotSource } from './kv-source.js';
import { lastRowKeysAfter } from './transaction-host.js';
import type { TransactionHost } from './transaction-host.js';
import { encodeRow } from './row-codec.js';
import { encodableAhead } from './encoded-rows.js';
import type { EncodedRows } from './encoded-rows.js';
import type { Catalog, ColumnSchema, TableDefinition, TableSchema } from './schema.js';
import { TableReader, indexKeyOf, primaryRowKey, primaryStorageKey } from './table-reader.js';
import type { DedupeEntry, RowChange, RowKey, Savepoint, StoredRow, WriteTransaction } from './engine.js';
import { normalizeRow } from './validate.js';
import { checkWriteBytes } from './write-budget.js';
import type { Row, SqlValue } from './values.js';

/** Rows a table-wide rewrite encodes between turns of the event loop. */
const REWRITE_ROWS_PER_TURN = 4_096;

/** WriteTransaction over an overlay on one LevelDB snapshot (see DESIGN.md). */
export class LevelWriteTransaction extends TableReader implements WriteTransaction {
  readonly #host: TransactionHost;
  readonly #dedupe: DedupeSpace;
  readonly #snapshot: SnapshotSource;
  readonly #overlay: Overlay;
  #rowObserver: ((change: RowChange) => void) | null = null;
  readonly #baseVersion: number;
  readonly #catalog: TransactionCatalog;
  #finished = false;
  readonly #layout: LayoutOptions;
  /** Tables whose head this transaction wrote (candidates for a fold at commit). */
  readonly #touched = new Set<number>();
  /** Per table, the greatest row key this transaction wrote (rows are written by #writeRow). */
  readonly #greatestWritten = new Map<number, RowKey>();
  /** Set once rows were removed by range (DROP/TRUNCATE/DROP COLUMN): no last key is known. */
  #rangesDeleted = false;
  #rangesDropped = false;
  #busy = false;

  constructor(
    host: TransactionHost,
    snapshot: SnapshotSource,
    state: CatalogState,
    baseVersion: number,
    layout: LayoutOptions = ROW_LAYOUT,
    lastRowKeys?: ReadonlyMap<number, RowKey | null>,
  ) {
    const overlay = new Overlay();
    const source = new OverlaySource(snapshot, overlay);
    super(source, new RowStore(source, snapshot, overlay, lastRowKeys));
    this.#host = host;
    this.#dedupe = new DedupeSpace(source, host.markFreeTables);
    this.#snapshot = snapshot;
    this.#overlay = overlay;
    this.#catalog = new TransactionCatalog(state);
    this.#baseVersion = baseVersion;
    this.#layout = layout;
  }

  get catalog(): Catalog {
    return this.#catalog.view;
  }

  protected catalogNow(): Catalog {
    return this.#catalog.view;
  }

  #checkOpen(): void {
    if (this.#finished) throw new ChronosError('TRANSACTION_STATE', 'transaction already finished');
  }

  #changeCatalog(change: CatalogChange): void {
    this.#catalog.change(change, this.#overlay.savepoint());
  }

  #putTable(schema: TableSchema, previousName?: string, ids?: Omit<CatalogChange, 'tables'>): void {
    const tables: Array<readonly [string, TableSchema | undefined]> = [[schema.name, schema]];
    if (previousName !== undefined) tables.unshift([previousName, undefined]);
    this.#changeCatalog({ tables, ...ids });
    this.#overlay.put(catalogKey(schema.id), encodeTableSchema(schema));
  }

  /** Run a mutation so that a throw leaves the transaction exactly as before. */
  #mutateSync<T>(action: () => T): T {
    this.#checkOpen();
    if (this.#busy)
      throw new ChronosError('TRANSACTION_STATE', 'concurrent writes in one transaction');
    const savepoint = this.savepoint();
    try {
      const result = action();
      checkWriteBytes(this.#overlay.bytes);
      return result;
    } catch (error) {
      this.rollbackTo(savepoint);
      throw error;
    }
  }

  async #mutate<T>(action: () => Promise<T>): Promise<T> {
    this.#checkOpen();
    if (this.#busy)
      throw new ChronosError('TRANSACTION_STATE', 'concurrent writes in one transaction');
    this.#busy = true;
    const savepoint = this.savepoint();
    try {
      const result = await action();
      checkWriteBytes(this.#overlay.bytes);
      return result;
    } catch (error) {
      this.rollbackTo(savepoint);
      throw error;
    } finally {
      this.#busy = false;
    }
  }

  createTable(definition: TableDefinition): TableSchema {
    return this.#mutateSync(() => {
      const schema = buildTableSchema(definition, this.#catalog.state, this.#layout.newTables);
      if (this.#catalog.state.tables.has(schema.name)) {
        throw new ChronosError('TABLE_EXISTS', `table ${schema.name} already exists`, {
          details: { table: schema.name },
        });
      }
      this.#putTable(schema, undefined, { nextTableId: schema.id + 1 });
      this.#overlay.put(META_ID_COUNTERS, encodeIdCounters(this.#catalog.state));
      return schema;
    });
  }

  async dropTable(name: string): Promise<void> {
    await this.#mutate(async () => {
      const schema = this.requireTable(name);
      this.#dropRange(tablePrefix(schema.id), prefixEnd(tablePrefix(schema.id)));
      this.#changeCatalog({ tables: [[name, undefined]] });
      this.#overlay.delete(catalogKey(schema.id));
    });
  }

  /** Leaves a range no one reads again to the background (see clearDroppedStep). */
  #dropRange(gte: Uint8Array, lt: Uint8Array): void {
    this.#rangesDropped = true;
    this.#overlay.put(droppedRangeKey(gte), droppedRangeValue(lt, gte));
  }

  async #deleteRange(gte: Uint8Array, lt: Uint8Array): Promise<void> {
    this.#rangesDeleted = true;
    for await (const batch of this.source.range(gte, lt, false)) {
      for (const entry of batch) this.#overlay.delete(entry.key);
    }
  }

  async createIndex(table: string, name: string, columns: readonly string[], rowsMax = INDEX_BUILD_ROWS_PER_PASS): Promise<IndexBuildPass> {
    return this.#mutate(async () => {
      const schema = this.requireTable(table);
      const index = newIndexSchema(schema, name, columns, this.#catalog.state.nextIndexId, this.#catalog.view.tableOfIndex(name) !== undefined);
      this.#putTable({ ...schema, indexes: [...schema.indexes, index] }, undefined, { nextIndexId: index.id + 1 });
      this.#overlay.put(META_ID_COUNTERS, encodeIdCounters(this.#catalog.state));
      return this.#buildIndexPass(schema.name, index.id, BUILD_FROM_START, rowsMax);
    });
  }

  async buildIndexStep(rowsMax: number): Promise<IndexBuildPass | undefined> {
    return this.#mutate(async () => {
      const next = nextBuildingIndex(this.#catalog.state.tables.values());
      return next === undefined ? undefined
        : this.#buildIndexPass(next.schema.name, next.index.id, next.index.buildFrom ?? BUILD_FROM_START, rowsMax);
    });
  }

  /** Indexes up to `rowsMax` rows from `from` and moves the index's cursor past them. */
  async #buildIndexPass(table: string, indexId: number, from: Uint8Array, rowsMax: number): Promise<IndexBuildPass> {
    const schema = this.requireTable(table);
    const index = schema.indexes.find((candidate) => candidate.id === indexId);
    assert(index !== undefined, `index ${indexId} of table ${table} to build is not in the catalog`);
    const end = afterPrefix(rowsPrefix(schema.id)).subarray(ROWS_PREFIX_BYTES);
    const built = await buildIndexPass(schema, index, this.rows.scanRows(schema, from, end, false), rowsMax,
      (key) => this.#overlay.put(key, EMPTY));
    const next = { ...schema, indexes: schema.indexes.map((i) => (i === index ? built.index : i)) };
    this.#changeCatalog({ tables: [[schema.name, next]] });
    // Uncounted: a pass writes no counted bytes, so it never fails on the write budget.
    this.#overlay.putUncounted(catalogKey(schema.id), encodeTableSchema(next));
    return built.pass;
  }

  async dropIndex(name: string): Promise<void> {
    await this.#mutate(async () => {
      const schema = this.#catalog.view.tableOfIndex(name);
      const index = schema?.indexes.find((candidate) => candidate.name === name);
      if (schema === undefined || index === undefined) {
        throw new ChronosError('UNKNOWN_INDEX', `index ${name} does not exist`, { details: { index: name } });
      }
      const prefix = indexPrefix(schema.id, index.id);
      this.#dropRange(prefix, prefixEnd(prefix));
      this.#putTable({ ...schema, indexes: schema.indexes.filter((candidate) => candidate !== index) });
    });
  }

  async addColumn(table: string, column: ColumnSchema): Promise<TableSchema> {
    return this.#mutate(async () => {
      const schema = this.requireTable(table);
      const next = schemaWithColumn(schema, column);
      if (column.notNull && (await this.#hasRows(schema))) {
        throw new ChronosError(
          'NOT_NULL_VIOLATION',
          `Column ${column.name} of table ${schema.name} cannot be NOT NULL: the table has ` +
            'rows, which would read NULL in it; add it without NOT NULL',
          { details: { table: schema.name, column: column.name } },
        );
      }
      this.#putTable(next);
      // Decoded rows and blocks cached under the old width must be padded again.
      this.rows.invalidate();
      return next;
    });
  }

  async #hasRows(schema: TableSchema): Promise<boolean> {
    for await (const batch of this.scan(schema.name)) if (batch.length > 0) return true;
    return false;
  }

  async dropColumn(table: string, column: string): Promise<readonly string[]> {
    return this.#mutate(async () => {
      const schema = this.requireTable(table);
      const drop = schemaWithoutColumn(schema, column);
      const rows: StoredRow[] = [];
      const budget = new RewriteBudget('ALTER TABLE ... DROP COLUMN', schema.name);
      for await (const batch of this.scan(table)) {
        for (const row of batch) budget.count(row.values);
        appendAll(rows, batch);
      }
      for (const index of drop.droppedIndexes) {
        const prefix = indexPrefix(schema.id, index.id);
        this.#dropRange(prefix, prefixEnd(prefix));
      }
      // Every row is rewritten into the head without the column; old blocks go (a commit
      // folds the head again), so no stored row keeps the dropped slot.
      for (const prefix of [rowsPrefix(schema.id), blocksPrefix(schema.id)]) {
        await this.#deleteRange(prefix, afterPrefix(prefix));
      }
      this.#putTable(drop.schema);
      this.rows.blocksReplaced(schema.id);
      this.#touched.add(schema.id);
      for (const [at, row] of rows.entries()) {
        // Replicas and readers wait on this loop: a million rows took ~5 s in one piece.
        if (at % REWRITE_ROWS_PER_TURN === REWRITE_ROWS_PER_TURN - 1) await yieldToEventLoop();
        const values = row.values.filter((_, i) => i !== drop.position);
        this.#overlay.put(concatBytes(rowsPrefix(schema.id), row.key), encodeRow(drop.schema.columns, values, row.insertedAtMs));
        this.#raiseGreatestWritten(schema.id, row.key);
      }
      return drop.droppedIndexes.map((index) => index.name);
    });
  }

  renameTable(from: string, to: string): TableSchema {
    return this.#mutateSync(() => {
      const schema = this.requireTable(from);
      if (from !== to && this.#catalog.state.tables.has(to)) {
        throw new ChronosError('TABLE_EXISTS', `table ${to} already exists`, {
          details: { table: to },
        });
      }
      const next: TableSchema = { ...schema, name: to };
      this.#putTable(next, from);
      return next;
    });
  }

  renameColumn(table: string, from: string, to: string): TableSchema {
    return this.#mutateSync(() => {
      const next = schemaWithRenamedColumn(this.requireTable(table), from, to);
      this.#putTable(next);
      return next;
    });
  }

  marked(table: string, marks: readonly Uint8Array[]): Promise<boolean[]> {
    return this.#dedupe.marked(this.requireTable(table).id, marks);
  }

  hasMarks(table: string): Promise<boolean> {
    return this.#dedupe.hasMarks(this.requireTable(table).id);
  }

  getDedupeEntries(table: string, keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    return this.#dedupe.entries(this.requireTable(table).id, keys);
  }

  edgeDedupeEntry(table: string, gte: Uint8Array, lt: Uint8Array, last: boolean): Promise<DedupeEntry | undefined> {
    return this.#dedupe.edge(this.requireTable(table).id, gte, lt, last);
  }

  putDedupeEntry(table: string, key: Uint8Array, value: Uint8Array): void {
    this.#mutateSync(() => this.#overlay.put(dedupeKey(this.requireTable(table).id, key), value));
  }

  putNamedValue(name: string, value: Uint8Array): void {
    this.#mutateSync(() => this.#overlay.put(namedValueKey(name), value));
  }

  async insert(table: string, values: Row, insertedAtMs: number): Promise<RowKey> {
    return this.#mutate(async () => {
      const schema = this.requireTable(table);
      const row = normalizeRow(schema, values);
      let rowKey: RowKey;
      if (schema.primaryKey.length > 0) {
        rowKey = primaryRowKey(schema, row);
        if ((await this.getByKey(schema, rowKey)) !== undefined) throw duplicateKey(schema, rowKey);
      } else {
        rowKey = await nextRowId(this.source, this.#overlay, schema);
      }
      this.#writeRow(schema, rowKey, row, insertedAtMs);
      this.#rowObserver?.({ table: schema, kind: 'insert', values: row });
      return rowKey;
    });
  }

  async insertMany(table: string, rows: readonly Row[], insertedAtMs: number): Promise<void> {
    await this.#mutate(async () => {
      const schema = this.requireTable(table);
      if (schema.primaryKey.length === 0) {
        // Hidden row ids: the counter is read once and written once for the whole call.
        const keys = await nextRowIds(this.source, this.#overlay, schema, rows.length);
        rows.forEach((values, i) => {
          const row = normalizeRow(schema, values);
          const fullKey = keys[i] as Uint8Array;
          this.#writeRow(schema, fullKey.subarray(ROWS_PREFIX_BYTES), row, insertedAtMs, { isNew: true, fullKey });
          this.#rowObserver?.({ table: schema, kind: 'insert', values: row });
        });
        return;
      }
      // Keys above both the snapshot's last key and every key this transaction wrote are new:
      // a statement appending rows in key order needs no read and no lookup per row.
      const last = await this.rows.lastKeyInSnapshot(schema);
      const prefix = rowsPrefix(schema.id);
      for (const values of rows) {
        const row = normalizeRow(schema, values);
        const fullKey = primaryStorageKey(schema, row, prefix);
        const rowKey = fullKey.subarray(ROWS_PREFIX_BYTES);
        const isNew = this.#aboveAll(schema, rowKey, last);
        if (!isNew && (await this.getByKey(schema, rowKey)) !== undefined) {
          throw duplicateKey(schema, rowKey);
        }
        this.#writeRow(schema, rowKey, row, insertedAtMs, { isNew, fullKey });
        this.#rowObserver?.({ table: schema, kind: 'insert', values: row });
      }
    });
  }

  async insertEncoded(rows: EncodedRows): Promise<boolean> {
    return this.#mutate(async () => {
      const schema = this.requireTable(rows.schema.name);
      // Encoded for another schema (altered since), or rows someone must observe: the caller
      // inserts the ordinary way.
      if (schema !== rows.schema || !encodableAhead(schema) || this.#rowObserver !== null) return false;
      if (rows.values.length === 0) return true;
      // Hidden row ids come from the counter, new by construction. Primary keys ascend: all are
      // new when the first lies above everything stored or written (no read needed).
      const first = rows.keys?.[0]?.subarray(ROWS_PREFIX_BYTES);
      if (first !== undefined && !this.#aboveAll(schema, first, await this.rows.lastKeyInSnapshot(schema))) return false;
      const keys = rows.keys ?? (await nextRowIds(this.source, this.#overlay, schema, rows.values.length));
      const lastKey = keys[keys.length - 1] as Uint8Array;
      for (let i = 0; i < keys.length; i++) this.#overlay.putNew(keys[i] as Uint8Array, rows.values[i] as Uint8Array);
      this.#touched.add(schema.id);
      this.#raiseGreatestWritten(schema.id, lastKey.subarray(ROWS_PREFIX_BYTES));
      return true;
    });
  }

  async insertAsBlocks(table: string, columns: BlockColumns, insertedAtMs: number): Promise<boolean> {
    return this.#mutate(async () => {
      const schema = this.requireTable(table);
      if (schema.primaryKey.length > 0 || !encodableAhead(schema) || this.#rowObserver !== null) return false;
      const checked = checkedColumns(schema, columns);
      if (checked.length === 0) return true;
      // Hidden row ids only grow, so these rows lie after every block and head entry: the new
      // blocks overlap none.
      const firstId = await reserveRowIds(this.source, this.#overlay, schema, checked.length);
      const { entries, lastKey } = await columnBlockEntries(schema, checked, firstId, insertedAtMs, this.#layout.blockRows,
        floatCompressionOf(this.#layout));
      for (const block of entries) this.#overlay.putUncounted(block.key, block.value);
      this.#touched.add(schema.id);
      this.#raiseGreatestWritten(schema.id, lastKey as RowKey);
      // Later reads in this transaction must see the new blocks, which the snapshot lacks.
      this.rows.blocksReplaced(schema.id);
      return true;
    });
  }

  /** Whether `rowKey` lies above both the snapshot's greatest key and any this transaction wrote. */
  #aboveAll(schema: TableSchema, rowKey: RowKey, stored: RowKey | null): boolean {
    const written = this.#greatestWritten.get(schema.id);
    return (stored === null || compareBytes(rowKey, stored) > 0) && (written === undefined || compareBytes(rowKey, written) > 0);
  }

  #writeRow(
    schema: TableSchema,
    rowKey: RowKey,
    row: readonly SqlValue[],
    insertedAtMs: number,
    how: { readonly isNew: boolean; readonly fullKey?: Uint8Array } = { isNew: false },
  ): void {
    this.#touched.add(schema.id);
    this.#raiseGreatestWritten(schema.id, rowKey);
    const fullKey = how.fullKey ?? concatBytes(rowsPrefix(schema.id), rowKey);
    const value = encodeRow(schema.columns, row, insertedAtMs);
    if (how.isNew) this.#overlay.putNew(fullKey, value);
    else this.#overlay.put(fullKey, value);
    for (const index of schema.indexes) {
      this.#overlay.put(
        concatBytes(indexPrefix(schema.id, index.id), indexKeyOf(schema, index, row), rowKey),
        EMPTY,
      );
    }
    if (schema.ttlMs !== null)
      this.#overlay.put(ttlKey(schema.id, insertedAtMs + schema.ttlMs, rowKey), EMPTY);
  }

  /** Removes the row, its index and TTL entries, and tells the row observer. */
  #eraseRow(schema: TableSchema, row: StoredRow, headKey = concatBytes(rowsPrefix(schema.id), row.key)): void {
    // An empty head value hides the row in a block (and is dropped by the next fold).
    this.#overlay.put(headKey, EMPTY);
    this.#raiseGreatestWritten(schema.id, row.key);
    this.#eraseIndexEntries(schema, row);
    this.#rowObserver?.({ table: schema, kind: 'delete', values: row.values });
  }

  /** Every row key put in the overlay stays at or below this (#aboveAll trusts it; DROP COLUMN can
   *  leave the snapshot's greatest key below the rows it rewrote). */
  #raiseGreatestWritten(tableId: number, rowKey: RowKey): void {
    const greatest = this.#greatestWritten.get(tableId);
    if (greatest === undefined || compareBytes(rowKey, greatest) > 0) this.#greatestWritten.set(tableId, rowKey);
  }

  /** The row's secondary-index and TTL entries (the row itself is removed by the caller). */
  #eraseIndexEntries(schema: TableSchema, row: StoredRow): void {
    this.#touched.add(schema.id);
    for (const index of schema.indexes) {
      this.#overlay.delete(concatBytes(indexPrefix(schema.id, index.id), indexKeyOf(schema, index, row.values), row.key));
    }
    if (schema.ttlMs !== null)
      this.#overlay.delete(ttlKey(schema.id, row.insertedAtMs + schema.ttlMs, row.key));
  }

  async #requireRow(schema: TableSchema, key: RowKey): Promise<StoredRow> {
    const row = await this.getByKey(schema, key);
    if (row === undefined) {
      throw new ChronosError('INVALID_ARGUMENT', `no row with this key in table ${schema.name}`, {
        details: { table: schema.name },
      });
    }
    return row;
  }

  /** `read` (the row at `key` as this transaction read it) unless it wrote the key since; else the row read now. */
  async #rowAsRead(schema: TableSchema, key: RowKey, read: StoredRow | undefined, headKey = concatBytes(rowsPrefix(schema.id), key)): Promise<StoredRow> {
    const unchanged = read !== undefined && this.#overlay.lookup(headKey) === undefined;
    return unchanged ? read : this.#requireRow(schema, key);
  }

  async update(table: string, key: RowKey, values: Row, read?: StoredRow): Promise<void> {
    await this.#mutate(async () => {
      const schema = this.requireTable(table);
      const row = normalizeRow(schema, values);
      const old = await this.#rowAsRead(schema, key, read);
      const newKey = schema.primaryKey.length > 0 ? primaryRowKey(schema, row) : old.key;
      const moves = compareBytes(newKey, old.key) !== 0;
      if (moves && (await this.getByKey(schema, newKey)) !== undefined) throw duplicateKey(schema, newKey);
      // In place, the new head entry replaces the old: only its index and TTL entries go first.
      if (moves) this.#eraseRow(schema, old);
      else this.#eraseIndexEntries(schema, old);
      this.#writeRow(schema, newKey, row, old.insertedAtMs);
      this.#rowObserver?.({ table: schema, kind: 'update', values: row });
    });
  }

  async deleteMany(table: string, keys: readonly RowKey[]): Promise<void> {
    await this.#mutate(async () => this.#deleteAll(this.requireTable(table), keys, []));
  }

  async deleteRows(table: string, rows: readonly StoredRow[]): Promise<void> {
    await this.#mutate(async () => this.#deleteAll(this.requireTable(table), rows.map((row) => row.key), rows));
  }

  /** Deletes `keys` (each must exist); `read[i]`, if given, is taken as key i's row unless this transaction wrote the key since. */
  async #deleteAll(schema: TableSchema, keys: readonly RowKey[], read: readonly StoredRow[]): Promise<void> {
    const whole = await wholeBlocksAmong(this.source, this.rows, schema, keys);
    const gone = new Set<string>();
    for (const block of whole) {
      this.#overlay.delete(block.key);
      for (const row of block.rows) {
        this.#eraseIndexEntries(schema, row);
        gone.add(bytesToMapKey(row.key));
        this.#rowObserver?.({ table: schema, kind: 'delete', values: row.values });
      }
    }
    // Point reads of blocks go to the snapshot unless told the block set changed.
    if (whole.length > 0) this.rows.blocksReplaced(schema.id);
    for (const [at, key] of keys.entries()) {
      if (at % REWRITE_ROWS_PER_TURN === REWRITE_ROWS_PER_TURN - 1) await yieldToEventLoop();
      if (gone.size > 0 && gone.has(bytesToMapKey(key))) continue;
      const headKey = concatBytes(rowsPrefix(schema.id), key);
      this.#eraseRow(schema, await this.#rowAsRead(schema, key, read[at], headKey), headKey); // one key: the overlay reuses its map key
    }
  }

  async delete(table: string, key: RowKey): Promise<void> {
    // Not deleteMany: its look for whole blocks reads the overlay's sorted view, which a sync
    // batch's interleaved upserts and deletes would have it rebuild per delete.
    await this.#mutate(async () => {
      const schema = this.requireTable(table);
      this.#eraseRow(schema, await this.#requireRow(schema, key));
    });
  }

  observeRowChanges(observer: ((change: RowChange) => void) | null): void {
    this.#rowObserver = observer;
  }

  deleteNamedValue(name: string): void {
    this.#mutateSync(() => this.#overlay.delete(namedValueKey(name)));
  }

  savepoint(): Savepoint {
    this.#checkOpen();
    return this.#overlay.savepoint();
  }

  rollbackTo(savepoint: Savepoint): void {
    this.#checkOpen();
    this.#overlay.rollbackTo(savepoint);
    this.#catalog.rollbackTo(savepoint);
    // Rows cached while a rolled-back ALTER TABLE was in effect have the wrong width, and blocks
    // written since the savepoint (insertAsBlocks) may be cached: both go (rollbacks are rare).
    this.rows.invalidate();
  }

  async commit(appliedIndex: number, options?: { readonly sync?: boolean }): Promise<void> {
    this.#checkOpen();
    if (this.#busy) throw new ChronosError('TRANSACTION_STATE', 'commit while a write is running');
    this.#finished = true;
    try {
      for (const table of this.#catalog.state.tables.values()) {
        if (!this.#touched.has(table.id)) continue;
        await foldHead(table, this.source, this.#snapshot, this.rows, this.#overlay, this.#layout);
      }
      await this.#host.commitTransaction({
        writes: this.#overlay.entries(),
        appliedIndex,
        catalog: this.#catalog.state,
        sync: options?.sync === true,
        baseVersion: this.#baseVersion,
        lastRowKeys: this.#rangesDeleted ? new Map() : lastRowKeysAfter(this.rows.knownLastKeys, this.#greatestWritten),
        rangesDropped: this.#rangesDropped,
      });
    } finally {
      await this.#snapshot.close();
    }
  }

  async rollback(): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    await this.#snapshot.close();
  }

  async close(): Promise<void> {
    await this.rollback();
  }
}

const EMPTY = new Uint8Array(0);
