import { assertNever, ChronosError } from '../lib/index.js';
import { ByteReader, ByteWriter } from './bytes.js';
import type { Catalog, ColumnSchema, IndexSchema, TableLayoutName, TableSchema } from './schema.js';
import type { SqlType } from './values.js';

/** The whole catalog as an immutable value: a transaction swaps it, rollback restores it. */
export interface CatalogState {
  readonly tables: ReadonlyMap<string, TableSchema>;
  /** Next ids to hand out; ids are never reused, even after a drop. */
  readonly nextTableId: number;
  readonly nextIndexId: number;
}

/** A fresh, empty catalog. */
export const EMPTY_CATALOG: CatalogState = { tables: new Map(), nextTableId: 1, nextIndexId: 1 };

/** Read-only Catalog view over one CatalogState. */
export class CatalogView implements Catalog {
  readonly #state: CatalogState;
  #sorted: readonly TableSchema[] | undefined;

  constructor(state: CatalogState) {
    this.#state = state;
  }

  table(name: string): TableSchema | undefined {
    return this.#state.tables.get(name);
  }

  tables(): readonly TableSchema[] {
    this.#sorted ??= [...this.#state.tables.values()].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    return this.#sorted;
  }

  tableOfIndex(name: string): TableSchema | undefined {
    for (const table of this.#state.tables.values()) {
      if (table.indexes.some((index) => index.name === name)) return table;
    }
    return undefined;
  }
}

const TYPE_CODES: readonly SqlType[] = ['INT', 'FLOAT', 'STRING', 'BOOLEAN'];

function typeCode(type: SqlType): number {
  switch (type) {
    case 'INT':
      return 0;
    case 'FLOAT':
      return 1;
    case 'STRING':
      return 2;
    case 'BOOLEAN':
      return 3;
    default:
      return assertNever(type, 'column type');
  }
}

/**
 * Format 1: id, name, columns, primary key, TTL, indexes. Format 2 appends u8 layout
 * (0 row, 1 columnar) and varint row codec version; format-1 records read as row layout, v1.
 * Format 3, written only while an index of the table is being built, appends for each index
 * a u8 (1: building) and, when building, the varint length and bytes of its build cursor.
 */
const CATALOG_FORMAT_V1 = 1;
const CATALOG_FORMAT = 2;
const CATALOG_FORMAT_BUILDING = 3;
const LAYOUT_CODES: readonly TableLayoutName[] = ['row', 'columnar'];

/** Binary catalog record of one table. */
export function encodeTableSchema(table: TableSchema): Uint8Array {
  const writer = new ByteWriter(64);
  const building = table.indexes.some((index) => index.buildFrom !== undefined);
  writer.u8(building ? CATALOG_FORMAT_BUILDING : CATALOG_FORMAT).varint(table.id).string(table.name).varint(table.columns.length);
  for (const column of table.columns) {
    writer
      .string(column.name)
      .u8(typeCode(column.type))
      .u8(column.notNull ? 1 : 0);
  }
  writer.varint(table.primaryKey.length);
  for (const position of table.primaryKey) writer.varint(position);
  if (table.ttlMs === null) writer.u8(0);
  else writer.u8(1).varint(table.ttlMs);
  writer.varint(table.indexes.length);
  for (const index of table.indexes) {
    writer.string(index.name).varint(index.id).varint(index.columns.length);
    for (const position of index.columns) writer.varint(position);
  }
  writer.u8(LAYOUT_CODES.indexOf(table.layout)).varint(table.rowCodecVersion);
  if (building) {
    for (const { buildFrom } of table.indexes) {
      if (buildFrom === undefined) writer.u8(0);
      else writer.u8(1).varint(buildFrom.length).bytes(buildFrom);
    }
  }
  return writer.finish();
}

/** Decode a catalog record written by encodeTableSchema. */
export function decodeTableSchema(bytes: Uint8Array): TableSchema {
  const reader = new ByteReader(bytes, 'catalog record');
  const format = reader.u8();
  if (format !== CATALOG_FORMAT && format !== CATALOG_FORMAT_V1 && format !== CATALOG_FORMAT_BUILDING) {
    throw new ChronosError('CORRUPTION', `unknown catalog record format ${format}`);
  }
  const id = reader.varint();
  const name = reader.string();
  const columns: ColumnSchema[] = [];
  const columnCount = reader.varint();
  for (let i = 0; i < columnCount; i++) {
    const columnName = reader.string();
    const type = TYPE_CODES[reader.u8()];
    if (type === undefined)
      throw new ChronosError('CORRUPTION', `bad column type in table ${name}`);
    columns.push({ name: columnName, type, notNull: reader.u8() === 1 });
  }
  const primaryKey: number[] = [];
  const keyCount = reader.varint();
  for (let i = 0; i < keyCount; i++) primaryKey.push(reader.varint());
  const ttlMs = reader.u8() === 1 ? reader.varint() : null;
  const indexes: IndexSchema[] = [];
  const indexCount = reader.varint();
  for (let i = 0; i < indexCount; i++) {
    const indexName = reader.string();
    const indexId = reader.varint();
    const positions: number[] = [];
    const positionCount = reader.varint();
    for (let j = 0; j < positionCount; j++) positions.push(reader.varint());
    indexes.push({ name: indexName, id: indexId, columns: positions });
  }
  if (format === CATALOG_FORMAT_V1) {
    return { name, id, columns, primaryKey, ttlMs, indexes, layout: 'row', rowCodecVersion: 1 };
  }
  const layout = LAYOUT_CODES[reader.u8()];
  if (layout === undefined) throw new ChronosError('CORRUPTION', `bad layout of table ${name}`);
  const rowCodecVersion = reader.varint();
  const built = format === CATALOG_FORMAT_BUILDING
    ? indexes.map((index) => (reader.u8() === 1 ? { ...index, buildFrom: Uint8Array.from(reader.bytes(reader.varint())) } : index))
    : indexes;
  return { name, id, columns, primaryKey, ttlMs, indexes: built, layout, rowCodecVersion };
}

/** Binary form of the id counters. */
export function encodeIdCounters(state: CatalogState): Uint8Array {
  return new ByteWriter(16).varint(state.nextTableId).varint(state.nextIndexId).finish();
}

/** Decode the id counters. */
export function decodeIdCounters(bytes: Uint8Array): { nextTableId: number; nextIndexId: number } {
  const reader = new ByteReader(bytes, 'id counters');
  return { nextTableId: reader.varint(), nextIndexId: reader.varint() };
}
