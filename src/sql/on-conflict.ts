import { ChronosError } from '../lib/index.js';
import { bytesToMapKey } from '../storage/index.js';
import type { RowKey, WriteTransaction, TableSchema, Row, SqlValue } from '../storage/index.js';
import type { OnConflict } from './ast.js';
import { compileCondition, compileExpr, type Compiled } from './compile.js';
import { Scope } from './scope.js';
import { checkedValue, columnIndex } from './write-checks.js';

/** What became of one proposed row. */
export type UpsertOutcome = 'inserted' | 'updated' | 'skipped';

/** The name under which SET and WHERE see the proposed row, as in PostgreSQL. */
const EXCLUDED = 'excluded';

/**
 * Inserts rows under an `ON CONFLICT` clause: a row whose primary key is taken is skipped
 * (DO NOTHING) or turns into an update of the existing row (DO UPDATE SET ... [WHERE ...]).
 */
export class ConflictHandler {
  readonly #schema: TableSchema;
  readonly #clause: OnConflict;
  readonly #sets: { readonly column: number; readonly compiled: Compiled }[];
  readonly #where: ((row: Row) => SqlValue) | null;
  /** Row keys this statement inserted or updated: DO UPDATE may touch each once. */
  readonly #touched = new Set<string>();

  constructor(schema: TableSchema, clause: OnConflict, nowMs: number) {
    this.#schema = schema;
    this.#clause = clause;
    checkTarget(schema, clause);
    const scope = new Scope();
    scope.addTable(schema, null);
    scope.addTable(schema, EXCLUDED);
    const ctx = { scope, nowMs, aggregatesRefused: 'in ON CONFLICT' } as const;
    this.#sets = clause.assignments.map((a) => ({
      column: columnIndex(schema, a.column),
      compiled: compileExpr(a.value, ctx),
    }));
    this.#where = clause.where === null ? null : compileCondition(clause.where, { ...ctx, aggregatesRefused: 'in WHERE' }, 'WHERE').evaluate;
  }

  /** Insert `values` (a full, checked row), or resolve its conflict. */
  async apply(txn: WriteTransaction, values: Row, nowMs: number): Promise<UpsertOutcome> {
    const schema = this.#schema;
    const existing = schema.primaryKey.length === 0
      ? undefined
      : await txn.get(schema.name, schema.primaryKey.map((p) => values[p] ?? null));
    if (existing === undefined) {
      this.#touch(await txn.insert(schema.name, values, nowMs));
      return 'inserted';
    }
    if (this.#clause.action === 'nothing') return 'skipped';
    const both = [...existing.values, ...values];
    if (this.#where !== null && this.#where(both) !== true) return 'skipped';
    if (this.#touched.has(bytesToMapKey(existing.key))) {
      throw new ChronosError(
        'INVALID_ARGUMENT',
        `ON CONFLICT DO UPDATE would change a row of ${schema.name} a second time in one statement; ` +
          'remove the duplicate keys from the inserted rows',
        { details: { table: schema.name } },
      );
    }
    const changed = existing.values.slice();
    for (const set of this.#sets) {
      changed[set.column] = checkedValue(schema, set.column, set.compiled.evaluate(both), set.compiled.type);
    }
    await txn.update(schema.name, existing.key, changed);
    this.#touch(existing.key);
    return 'updated';
  }

  #touch(key: RowKey): void {
    this.#touched.add(bytesToMapKey(key));
  }
}

/** The conflict target must be the primary key: the only uniqueness the engine enforces. */
function checkTarget(schema: TableSchema, clause: OnConflict): void {
  if (clause.target === null) return;
  for (const column of clause.target) columnIndex(schema, column);
  const key = schema.primaryKey.map((p) => schema.columns[p]?.name ?? '');
  const same = clause.target.length === key.length && key.every((name) => clause.target?.includes(name));
  if (same) return;
  const has = key.length === 0 ? 'has no primary key' : `has primary key (${key.join(', ')})`;
  throw new ChronosError(
    'INVALID_ARGUMENT',
    `ON CONFLICT (${clause.target.join(', ')}) must name the primary key of ${schema.name}, which ${has}; ` +
      'other columns are not unique',
    { details: { table: schema.name } },
  );
}
