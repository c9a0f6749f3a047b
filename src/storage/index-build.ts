import { concatBytes } from './bytes.js';
import type { StoredRow } from './engine.js';
import { indexPrefix } from './keys.js';
import type { IndexSchema, TableSchema } from './schema.js';
import { indexKeyOf } from './table-reader.js';

/**
 * Rows one pass of an index build indexes at most. CREATE INDEX over a million rows was one
 * ~10 s apply that every write queued behind. On three nodes sharing two cores, a writer beside
 * passes of 10,000 rows waited up to 0.42 s; beside passes of 5,000, 0.22 s, and the build took
 * ~15% longer.
 */
export const INDEX_BUILD_ROWS_PER_PASS = 5_000;

/**
 * Bytes of index keys one pass writes at most (it still indexes at least one row). Keys hold the
 * indexed values: 5,000 rows of 200 KB strings would be a 1 GB LevelDB batch on every replica.
 * Replicas see the same keys, so all cut a pass at the same row.
 */
export const INDEX_BUILD_KEY_BYTES_PER_PASS = 16 * 1024 * 1024;

/** The cursor of a build that has not indexed any row yet. */
export const BUILD_FROM_START = new Uint8Array(0);

/** What one pass of an index build did. */
export interface IndexBuildPass {
  readonly table: string;
  readonly index: string;
  readonly indexed: number;
  /** True once every row is indexed (the index is usable from this pass on). */
  readonly done: boolean;
}

/** The building index a pass continues: the one of lowest id, so every replica picks the same. */
export function nextBuildingIndex(tables: Iterable<TableSchema>): { schema: TableSchema; index: IndexSchema } | undefined {
  let next: { schema: TableSchema; index: IndexSchema } | undefined;
  for (const schema of tables) {
    for (const index of schema.indexes) {
      if (index.buildFrom !== undefined && (next === undefined || index.id < next.index.id)) next = { schema, index };
    }
  }
  return next;
}

/** True while some index of these tables is still being built. */
export function anyIndexBuilding(tables: Iterable<TableSchema>): boolean {
  return nextBuildingIndex(tables) !== undefined;
}

/** How many indexes of these tables are still being built. */
export function indexesBuilding(tables: Iterable<TableSchema>): number {
  let building = 0;
  for (const schema of tables) for (const index of schema.indexes) if (index.buildFrom !== undefined) building += 1;
  return building;
}

/**
 * Indexes the rows of `rows` (key order, from the build's cursor) up to `rowsMax` or
 * INDEX_BUILD_KEY_BYTES_PER_PASS, handing each
 * new index key to `put`; returns the pass and the index with its cursor moved (no cursor once
 * the rows ran out). The cut is by count, not by how the scan batched rows, so every replica
 * stops at the same row.
 */
export async function buildIndexPass(
  schema: TableSchema,
  index: IndexSchema,
  rows: AsyncIterable<readonly StoredRow[]>,
  rowsMax: number,
  put: (key: Uint8Array) => void,
): Promise<{ pass: IndexBuildPass; index: IndexSchema }> {
  const prefix = indexPrefix(schema.id, index.id);
  let indexed = 0;
  let keyBytes = 0;
  for await (const batch of rows) {
    for (const row of batch) {
      if (indexed === rowsMax || keyBytes >= INDEX_BUILD_KEY_BYTES_PER_PASS) return passOf(schema, index, indexed, Uint8Array.from(row.key));
      const key = concatBytes(prefix, indexKeyOf(schema, index, row.values), row.key);
      put(key);
      keyBytes += key.length;
      indexed += 1;
    }
  }
  return passOf(schema, index, indexed, undefined);
}

function passOf(schema: TableSchema, index: IndexSchema, indexed: number, buildFrom: Uint8Array | undefined): { pass: IndexBuildPass; index: IndexSchema } {
  return { pass: { table: schema.name, index: index.name, indexed, done: buildFrom === undefined }, index: withBuildFrom(index, buildFrom) };
}

/** `index` with its build cursor at `buildFrom`, or complete when undefined. */
export function withBuildFrom(index: IndexSchema, buildFrom: Uint8Array | undefined): IndexSchema {
  const { buildFrom: _previous, ...rest } = index;
  return buildFrom === undefined ? rest : { ...rest, buildFrom };
}
