import type {
  Catalog, ColumnBatch, ColumnSchema, Row, StorageReader, StoredRow, TableSchema, SqlValue,
} from '../storage/index.js';
import { rowsToColumnBatch } from '../storage/index.js';
import type { CompoundStatement, Join, SelectStatement, TableRef } from './ast.js';
import { assert } from '../lib/index.js';
import type { RowsResult, StatementResult } from './result.js';
import { seriesRows } from './series.js';
import type { StatementGuard } from './statement-guard.js';

/** Runs a query of a derived table (subqueries in it resolved) over `reader`. */
export type QueryRunner = (query: SelectStatement | CompoundStatement, reader: StorageReader) => Promise<StatementResult>;

const EMPTY_KEY = new Uint8Array(0);
const SCAN_BATCH = 512;

/**
 * A column of a derived table: typed as the query typed it, else from its values; a column
 * of only NULLs stays untyped (its NULLs compare and compute with anything).
 */
function columnOf(result: RowsResult, column: number): ColumnSchema {
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

/** The derived tables' rows, served as tables of those names over the real reader. */
class DerivedReader implements StorageReader {
  readonly catalog: Catalog;
  readonly #base: StorageReader;
  readonly #rows: Map<string, readonly StoredRow[]>;

  constructor(base: StorageReader, tables: ReadonlyMap<string, { schema: TableSchema; rows: readonly StoredRow[] }>) {
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

/** True when FROM or a JOIN of `s` is a subquery. */
export function hasDerivedTables(s: SelectStatement): boolean {
  const derived = (ref: TableRef): boolean => ref.query !== undefined || ref.series !== undefined;
  return (s.from !== null && derived(s.from)) || s.joins.some((j) => derived(j.table));
}

/**
 * Answers each subquery and generate_series in FROM/JOIN once (neither sees the outer query:
 * no LATERAL), and gives back the statement naming them as tables and a reader that serves
 * their rows. The rows are held in memory, counted against the statement's row cap.
 */
export async function materializeDerivedTables(s: SelectStatement, reader: StorageReader, nowMs: number,
  guard: StatementGuard, run: QueryRunner): Promise<{ statement: SelectStatement; reader: StorageReader }> {
  const tables = new Map<string, { schema: TableSchema; rows: readonly StoredRow[] }>();
  // Held under a name no table can have, so a real table of the alias's name stays visible
  // beside it (FROM generate_series(1, 3) AS t(id) JOIN t AS u ...); the alias names it.
  const hold = async (alias: string, kind: string, columns: ColumnSchema[], rows: readonly Row[]): Promise<TableRef> => {
    const name = `${alias} (${kind})`;
    const schema: TableSchema = { name, id: -(tables.size + 1), columns, primaryKey: [], ttlMs: null,
      indexes: [], layout: 'row', rowCodecVersion: 1 };
    // A row at a time through the guard: a million of them took 0.2-0.3 s in one piece.
    const stored: StoredRow[] = [];
    for (const values of rows) {
      stored.push({ key: EMPTY_KEY, values, insertedAtMs: nowMs });
      if (guard.step()) await guard.pause();
    }
    tables.set(name, { schema, rows: stored });
    return { table: name, alias };
  };
  const materialize = async (ref: TableRef): Promise<TableRef> => {
    if (ref.series !== undefined) {
      const series = await seriesRows(ref.series, nowMs, guard);
      return hold(ref.table, 'generate_series', [series.column], series.rows);
    }
    if (ref.query === undefined) return ref;
    const answer = await run(ref.query, reader);
    assert(answer.kind === 'rows', 'a query answers rows');
    const result: RowsResult = answer;
    guard.holding(result.rows.length, `the subquery ${ref.table}`);
    return hold(ref.table, 'subquery', result.columns.map((_, i) => columnOf(result, i)), result.rows);
  };
  const from = s.from === null ? null : await materialize(s.from);
  const joins: Join[] = [];
  for (const join of s.joins) joins.push({ ...join, table: await materialize(join.table) });
  return { statement: { ...s, from, joins }, reader: new DerivedReader(reader, tables) };
}
