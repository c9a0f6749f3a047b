import type { SqlType } from './values.js';

/** A column as declared. Names are stored lower-cased (SQL identifiers fold to lower case). */
export interface ColumnSchema {
  readonly name: string;
  readonly type: SqlType;
  /** True for NOT NULL columns and for every PRIMARY KEY column. */
  readonly notNull: boolean;
  /**
   * A derived table's column whose query gave it no type (only NULLs, as `SELECT NULL AS x`):
   * expressions over it see a NULL of any type, as over the NULL literal. Never stored.
   */
  readonly untyped?: true;
  /**
   * A derived table's column the query did not ask for (the outer values a LATERAL subquery
   * was answered for): left out of `*` and unqualified names. Never stored.
   */
  readonly hidden?: true;
}

/** A secondary index over one or more columns of its table (non-unique). */
export interface IndexSchema {
  readonly name: string;
  /** Stable id used in keys; never reused within a data dir. */
  readonly id: number;
  /** Positions into the table's columns, in index order. */
  readonly columns: readonly number[];
  /**
   * Set while the index is being built in bounded passes: stored rows whose key (after the
   * table's rows prefix) sorts at or after it are not indexed yet, unless written since the
   * build began (writes keep every index of the table). Readers must not use such an index.
   */
  readonly buildFrom?: Uint8Array;
}

/**
 * How a table's rows are stored (table-layout.ts): 'row' = one LevelDB entry per row (small,
 * update-heavy tables); 'columnar' = compressed column blocks under a small per-row head
 * (time-series tables: written once, read by range).
 */
export type TableLayoutName = 'row' | 'columnar';

/** A table as the catalog persists it. */
export interface TableSchema {
  readonly name: string;
  /** Stable id used in keys; never reused within a data dir. */
  readonly id: number;
  readonly columns: readonly ColumnSchema[];
  /** Positions of the PRIMARY KEY columns; empty = rows are keyed by a hidden row id. */
  readonly primaryKey: readonly number[];
  /** Rows expire this long after they were inserted; null = never. */
  readonly ttlMs: number | null;
  readonly indexes: readonly IndexSchema[];
  readonly layout: TableLayoutName;
  /** Version of the row codec the table's head entries are written with (row-codec.ts). */
  readonly rowCodecVersion: number;
}

/** What CREATE TABLE asks for. */
export interface TableDefinition {
  readonly name: string;
  readonly columns: readonly ColumnSchema[];
  readonly primaryKey: readonly string[];
  readonly ttlMs: number | null;
  /** Absent: the engine's policy for new tables decides (LayoutOptions.newTables). */
  readonly layout?: TableLayoutName;
}

/** Read-only view of the tables and indexes at one point in time. */
export interface Catalog {
  /** The table named `name` (lower-cased), if any. */
  table(name: string): TableSchema | undefined;
  /** All tables, ordered by name. */
  tables(): readonly TableSchema[];
  /** The table that owns the index named `name`, if any. */
  tableOfIndex(name: string): TableSchema | undefined;
}
