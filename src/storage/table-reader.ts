import { assert, ChronosError } from '../lib/index.js';
import { ByteWriter, concatBytes } from './bytes.js';
import { encodeKeyTuple, encodePrefixedKeyTuple, skipKeyTuple, writeKeyValue } from './key-codec.js';
import {
  ROWS_PREFIX_BYTES,
  TTL_ENTRY_HEADER_BYTES,
  afterPrefix,
  indexPrefix,
  rowsPrefix,
  ttlPrefix,
  ttlUpperBound,
  namedValueKey,
} from './keys.js';
import { successorKey } from './kv-source.js';
import type { KvSource } from './kv-source.js';
import { RowStore } from './row-store.js';
import type { Catalog, ColumnSchema, IndexSchema, TableSchema } from './schema.js';
import type { ColumnBatch, KeyBound, KeyRange, NamedValue, RowKey, ScanOptions, StoredRow } from './engine.js';
import { normalizeKeyValues } from './validate.js';
import type { SqlValue } from './values.js';

/** The hidden row id behaves as one INT key column in ranges. */
export const ROW_ID_COLUMN: ColumnSchema = { name: 'rowid', type: 'INT', notNull: true };

/** Columns a table's row key is made of. */
export function keyColumns(table: TableSchema): ColumnSchema[] {
  if (table.primaryKey.length === 0) return [ROW_ID_COLUMN];
  return table.primaryKey.map((position) => table.columns[position] as ColumnSchema);
}

/** Row key of a row of `table` with a PRIMARY KEY (values already normalized). */
export function primaryRowKey(table: TableSchema, values: readonly SqlValue[]): RowKey {
  return primaryStorageKey(table, values, EMPTY);
}

/**
 * `prefix` and the row key in one piece: a row's full storage key when `prefix` is the table's
 * rows prefix (the row key is then its subarray after ROWS_PREFIX_BYTES).
 */
export function primaryStorageKey(table: TableSchema, values: readonly SqlValue[], prefix: Uint8Array): Uint8Array {
  assert(table.primaryKey.length > 0, 'primaryRowKey needs a PRIMARY KEY');
  const keyValues = table.primaryKey.map((position) => values[position] as SqlValue);
  return encodePrefixedKeyTuple(prefix, keyValues, keyColumns(table).map((column) => column.type));
}

const EMPTY = new Uint8Array(0);

/** Index key (without the row key) of a row. */
export function indexKeyOf(
  table: TableSchema,
  index: IndexSchema,
  values: readonly SqlValue[],
): Uint8Array {
  const writer = new ByteWriter(32);
  for (const position of index.columns) {
    writeKeyValue(
      writer,
      values[position] as SqlValue,
      (table.columns[position] as ColumnSchema).type,
    );
  }
  return writer.finish();
}

/** A non-integral bound on an INT column narrows to the integers it admits. */
function boundToBytes(
  table: string,
  columns: readonly ColumnSchema[],
  bound: KeyBound,
  lower: boolean,
): [Uint8Array, boolean] {
  const values = [...bound.values];
  let inclusive = bound.inclusive;
  const lastIndex = values.length - 1;
  const last = values[lastIndex];
  if (
    typeof last === 'number' &&
    columns[lastIndex]?.type === 'INT' &&
    Number.isFinite(last) &&
    !Number.isInteger(last)
  ) {
    values[lastIndex] = lower ? Math.ceil(last) : Math.floor(last);
    inclusive = true;
  }
  const normalized = normalizeKeyValues(table, columns, values);
  return [
    encodeKeyTuple(
      normalized,
      columns.slice(0, normalized.length).map((c) => c.type),
    ),
    inclusive,
  ];
}

/** [gte, lt) byte bounds of `range` under `prefix` (see KeyRange: bounds may be prefixes). */
export function rangeBounds(
  table: string,
  prefix: Uint8Array,
  columns: readonly ColumnSchema[],
  range: KeyRange | undefined,
): [Uint8Array, Uint8Array] {
  let gte = prefix;
  let lt = afterPrefix(prefix);
  if (range?.lower !== undefined) {
    const [encoded, inclusive] = boundToBytes(table, columns, range.lower, true);
    const start = concatBytes(prefix, encoded);
    gte = inclusive ? start : afterPrefix(start);
  }
  if (range?.upper !== undefined) {
    const [encoded, inclusive] = boundToBytes(table, columns, range.upper, false);
    const end = concatBytes(prefix, encoded);
    lt = inclusive ? afterPrefix(end) : end;
  }
  return [gte, lt];
}

function unknownTable(name: string): ChronosError {
  return new ChronosError('UNKNOWN_TABLE', `table ${name} does not exist`, {
    details: { table: name },
  });
}

/** Rows, index and TTL reads over a consistent KvSource and the catalog of the same moment. */
export abstract class TableReader {
  protected readonly source: KvSource;
  protected readonly rows: RowStore;

  constructor(source: KvSource, rows: RowStore = new RowStore(source)) {
    this.source = source;
    this.rows = rows;
  }

  /** The catalog of this reader's moment (a transaction's changes over time). */
  protected abstract catalogNow(): Catalog;

  protected requireTable(name: string): TableSchema {
    const table = this.catalogNow().table(name);
    if (table === undefined) throw unknownTable(name);
    return table;
  }

  async *scan(
    table: string,
    range?: KeyRange,
    options?: ScanOptions,
  ): AsyncIterable<readonly StoredRow[]> {
    const schema = this.requireTable(table);
    const prefix = rowsPrefix(schema.id);
    const [gte, lt] = rangeBounds(table, prefix, keyColumns(schema), range);
    const low = gte.subarray(ROWS_PREFIX_BYTES);
    const high = lt.subarray(ROWS_PREFIX_BYTES);
    yield* this.rows.scanRows(schema, low, high, options?.reverse === true);
  }

  async *scanColumns(table: string, positions: readonly number[], range?: KeyRange,
    presenceOnly: readonly number[] = []): AsyncIterable<ColumnBatch> {
    const schema = this.requireTable(table);
    const prefix = rowsPrefix(schema.id);
    const [gte, lt] = rangeBounds(table, prefix, keyColumns(schema), range);
    yield* this.rows.scanColumns(schema, positions, gte.subarray(ROWS_PREFIX_BYTES), lt.subarray(ROWS_PREFIX_BYTES),
      new Set(presenceOnly));
  }

  async *scanIndex(
    table: string,
    index: string,
    range?: KeyRange,
  ): AsyncIterable<readonly StoredRow[]> {
    const schema = this.requireTable(table);
    const indexSchema = schema.indexes.find((candidate) => candidate.name === index);
    if (indexSchema === undefined) {
      throw new ChronosError('UNKNOWN_INDEX', `index ${index} does not exist on table ${table}`, {
        details: { table, index },
      });
    }
    const prefix = indexPrefix(schema.id, indexSchema.id);
    const columns = indexSchema.columns.map((position) => schema.columns[position] as ColumnSchema);
    const [gte, lt] = rangeBounds(table, prefix, columns, range);
    for await (const batch of this.source.range(gte, lt, false)) {
      const rowKeys = batch.map((entry) =>
        entry.key.subarray(skipKeyTuple(entry.key, prefix.length, columns.length)),
      );
      yield await this.#fetchRows(schema, rowKeys, `index ${index}`);
    }
  }

  async *scanExpired(table: string, nowMs: number): AsyncIterable<readonly StoredRow[]> {
    const schema = this.requireTable(table);
    if (schema.ttlMs === null) return;
    const gte = ttlPrefix(schema.id);
    const lt = ttlUpperBound(schema.id, nowMs);
    for await (const batch of this.source.range(gte, lt, false)) {
      const rowKeys = batch.map((entry) => entry.key.subarray(TTL_ENTRY_HEADER_BYTES));
      yield await this.#fetchRows(schema, rowKeys, 'ttl index');
    }
  }

  async #fetchRows(
    schema: TableSchema,
    rowKeys: readonly Uint8Array[],
    what: string,
  ): Promise<StoredRow[]> {
    const found = await this.rows.getRows(schema, rowKeys);
    return found.map((row) => {
      // An entry without its row means the index drifted from the data: never silently skip.
      assert(row !== undefined, `${what} of table ${schema.name} points at a missing row`);
      return row;
    });
  }

  async get(table: string, primaryKey: readonly SqlValue[]): Promise<StoredRow | undefined> {
    const schema = this.requireTable(table);
    if (schema.primaryKey.length === 0 || primaryKey.length !== schema.primaryKey.length) {
      throw new ChronosError(
        'INVALID_ARGUMENT',
        `get on table ${table} needs all ${schema.primaryKey.length} primary key values`,
        { details: { table } },
      );
    }
    const columns = keyColumns(schema);
    const normalized = normalizeKeyValues(table, columns, primaryKey);
    const rowKey = encodeKeyTuple(
      normalized,
      columns.map((column) => column.type),
    );
    return this.getByKey(schema, rowKey);
  }

  async getNamedValue(name: string): Promise<Uint8Array | undefined> {
    return this.source.get(namedValueKey(name));
  }

  async namedValuesWithPrefix(prefix: string, after: string | null, limit: number): Promise<NamedValue[]> {
    const start = namedValueKey(prefix);
    const low = after === null ? start : successorKey(namedValueKey(after));
    const out: NamedValue[] = [];
    const skip = namedValueKey('').length;
    for await (const batch of this.source.range(low, afterPrefix(start), false, limit)) {
      for (const entry of batch) {
        out.push({ name: Buffer.from(entry.key.subarray(skip)).toString('utf8'), value: entry.value });
        if (out.length >= limit) return out;
      }
    }
    return out;
  }

  protected async getByKey(schema: TableSchema, rowKey: RowKey): Promise<StoredRow | undefined> {
    return this.rows.getRow(schema, rowKey);
  }
}
