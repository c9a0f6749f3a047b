import type {
  Catalog, ColumnBatch, ColumnSchema, Row, SqlValue, StorageReader, StoredRow, TableSchema,
} from '../storage/index.js';
import { ChronosError } from '../lib/index.js';
import { rowsToColumnBatch } from '../storage/index.js';
import type { RowsResult } from './result.js';
import type { StatementGuard } from './statement-guard.js';

// Derived tables (subqueries and generate_series in FROM, WITH queries) are answered first and
// held in memory; the query then reads them as tables of a reader over the real one.

const EMPTY_KEY = new Uint8Array(0);
const SCAN_BATCH = 512;

/** Rows held in memory as a table a query reads by `schema.name`. */
export interface HeldTable {
  readonly schema: TableSchema;
  readonly rows: readonly StoredRow[];
}

/**
 * A column of a derived table: typed as the query typed it, else from its values; a column
 * of only NULLs stays untyped (its NULLs compare and compute with anything).
 */
export function derivedColumn(result: Pick<RowsResult, 'columns' | 'columnTypes' | 'rows'>, column: number): ColumnSchema {
  const name = (result.columns[column] as string).toLowerCase();
  const declared = result.columnTypes[column];
  if (declared !== null && declared !== undefined) return { name, type: declared, notNull: false };
  for (const row of result.rows) {
    const value: SqlValue = row[column] ?? null;
    if (value === null) continue;
    if (typeof value === 'boolean') return { name, type: 'BOOLEAN', notNull: false };
    if (typeof value === 'string') return { name, type: 'STRING', notNull: false };
    return { name, type: typeof value === 'bigint' || Number.isInteger(value) ? 'INT' : 'FLOAT', notNull: false };
  }
  return { name, type: 'STRING', notNull: false, untyped: true };
}

/** `columns` with the first ones renamed to `names` (`WITH c (a, b) AS ...`, `(...) AS d (a, b)`). */
export function renamedColumns(columns: ColumnSchema[], names: readonly string[] | undefined, what: string): ColumnSchema[] {
  if (names === undefined) return columns;
  if (names.length > columns.length) {
    throw new ChronosError('INVALID_ARGUMENT', `${what} has ${columns.length} columns, but ${names.length} names were given for them`);
  }
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) throw new ChronosError('INVALID_ARGUMENT', `column name ${twice} given twice for ${what}`);
  return columns.map((column, i) => (i < names.length ? { ...column, name: names[i] as string } : column));
}

/** `rows` as a table named `name` (a name no stored table can have) with `columns`. */
export async function heldTable(name: string, id: number, columns: ColumnSchema[], rows: readonly Row[],
  nowMs: number, guard: StatementGuard): Promise<HeldTable> {
  const schema: TableSchema = { name, id, columns, primaryKey: [], ttlMs: null, indexes: [], layout: 'row', rowCodecVersion: 1 };
  // A row at a time through the guard: a million of them took 0.2-0.3 s in one piece.
  const stored: StoredRow[] = [];
  for (const values of rows) {
    stored.push({ key: EMPTY_KEY, values, insertedAtMs: nowMs });
    if (guard.step()) await guard.pause();
  }
  return { schema, rows: stored };
}


/** The derived tables' rows, served as tables of those names over the real reader. */
export class DerivedReader implements StorageReader {
  readonly catalog: Catalog;
  readonly #base: StorageReader;
  readonly #rows: Map<string, readonly StoredRow[]>;

  constructor(base: StorageReader, tables: ReadonlyMap<string, HeldTable>) {
    this.#base = base;
    this.#rows = new Map([...tables].map(([name, t]) => [name, t.rows]));
    const schemas = new Map([...tables].map(([name, t]) => [name, t.schema]));
    this.catalog = {
      table: (name) => schemas.get(name) ?? base.catalog.table(name),
      tables: () => [...base.catalog.tables().filter((t) => !schemas.has(t.name)), ...schemas.values()]
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      tableOfIndex: (name) => base.catalog.tableOfIndex(name),
    };
  }

  async *scan(...args: Parameters<StorageReader['scan']>): AsyncIterable<readonly StoredRow[]> {
    const rows = this.#rows.get(args[0]);
    if (rows === undefined) {
      yield* this.#base.scan(...args);
      return;
    }
    for (let at = 0; at < rows.length; at += SCAN_BATCH) yield rows.slice(at, at + SCAN_BATCH);
  }

  async *scanColumns(...args: Parameters<StorageReader['scanColumns']>): AsyncIterable<ColumnBatch> {
    const [table, positions] = args;
    const rows = this.#rows.get(table);
    if (rows === undefined) {
      yield* this.#base.scanColumns(...args);
      return;
    }
    const width = this.catalog.table(table)?.columns.length ?? 0;
    for (let at = 0; at < rows.length; at += SCAN_BATCH) yield rowsToColumnBatch(rows.slice(at, at + SCAN_BATCH), positions, width);
  }

  scanIndex(...args: Parameters<StorageReader['scanIndex']>): AsyncIterable<readonly StoredRow[]> {
    return this.#base.scanIndex(...args);
  }

  scanExpired(...args: Parameters<StorageReader['scanExpired']>): AsyncIterable<readonly StoredRow[]> {
    return this.#base.scanExpired(...args);
  }

  get(...args: Parameters<StorageReader['get']>): Promise<StoredRow | undefined> {
    return this.#base.get(...args);
  }

  getNamedValue(name: string): Promise<Uint8Array | undefined> {
    return this.#base.getNamedValue(name);
  }

  namedValuesWithPrefix(...args: Parameters<StorageReader['namedValuesWithPrefix']>): ReturnType<StorageReader['namedValuesWithPrefix']> {
    return this.#base.namedValuesWithPrefix(...args);
  }

  close(): Promise<void> {
    return this.#base.close();
  }
}

