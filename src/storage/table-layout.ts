import { assertNever } from '../lib/index.js';
import type { FloatCompression } from './codecs/column-codec.js';
import type { TableDefinition, TableLayoutName, TableSchema } from './schema.js';

/** The row codec version new tables record in the catalog (row-codec.ts). */
export const ROW_CODEC_VERSION = 1;

/**
 * Which layout CREATE TABLE gives a table that does not name one:
 * 'row' for every table; 'columnar' for every table; 'auto' = columnar for tables without a
 * PRIMARY KEY (hidden row ids only grow, so folds append) and row for keyed tables.
 */
export type NewTableLayoutPolicy = TableLayoutName | 'auto';

/** Engine-wide layout settings: block and head sizes, and the policy for new tables. */
export interface LayoutOptions {
  /** Rows per block written by a fold. */
  readonly blockRows: number;
  /** A commit folds a columnar table's head into blocks once the head holds this many entries. */
  readonly headEntriesMax: number;
  /** Layout of tables created without an explicit one (recorded in the catalog). */
  readonly newTables: NewTableLayoutPolicy;
  /** Deleted keys and rewritten blocks after which LevelDB compacts columnar heads (default 20,000). */
  readonly sweepAfterGarbage?: number;
  /**
   * How blocks written from now on store FLOAT columns the decimal codec does not take
   * (default 'xor'; 'chimp' with CHRONOS_CHIMP_ENABLE). Blocks of either kind always decode.
   */
  readonly floatCompression?: FloatCompression;
}

/** The FLOAT compression new blocks get under `layout`. */
export function floatCompressionOf(layout: LayoutOptions): FloatCompression {
  return layout.floatCompression ?? 'xor';
}

/** Production default: tables get the per-row layout unless their definition asks otherwise. */
export const ROW_LAYOUT: LayoutOptions = { blockRows: 1024, headEntriesMax: 1024, newTables: 'row' };

/** Every new table columnar (tests force this to run every suite on column blocks). */
export const APPEND_LAYOUT: LayoutOptions = {
  blockRows: 1024,
  headEntriesMax: 1024,
  newTables: 'columnar',
};

/**
 * Columnar for row-id tables, per-row for keyed ones. Not the default yet: measured 2026-11-23,
 * it made GROUP BY over 100k rows ~3x faster but 1000-row INSERTs ~2x slower; the columnar
 * scan path is the next step (storage/DESIGN.md).
 */
export const AUTO_LAYOUT: LayoutOptions = { blockRows: 1024, headEntriesMax: 1024, newTables: 'auto' };

/** What the storage engine does differently per layout. */
export interface TableLayout {
  readonly name: TableLayoutName;
  /** Whether a commit folds the table's head into column blocks once it is large. */
  readonly foldsHead: boolean;
}

const LAYOUTS: Readonly<Record<TableLayoutName, TableLayout>> = {
  row: { name: 'row', foldsHead: false },
  columnar: { name: 'columnar', foldsHead: true },
};

/** The layout a table was created with. */
export function tableLayout(schema: TableSchema): TableLayout {
  return LAYOUTS[schema.layout];
}

/** The layout a new table gets: its definition's, else the engine's policy. */
export function layoutForNewTable(
  definition: TableDefinition,
  policy: NewTableLayoutPolicy,
): TableLayoutName {
  if (definition.layout !== undefined) return definition.layout;
  switch (policy) {
    case 'row':
    case 'columnar':
      return policy;
    case 'auto':
      return definition.primaryKey.length === 0 ? 'columnar' : 'row';
    default:
      return assertNever(policy, 'layout policy');
  }
}
