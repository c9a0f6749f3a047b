import { assertNever, ChronosError } from '../lib/index.js';
import type { RowKey, WriteTransaction, TableSchema, Row, StoredRow } from '../storage/index.js';
import { INDEX_BUILD_ROWS_PER_PASS } from '../storage/index.js';
import { executeAlterTable } from './alter.js';
import type { Expr, Statement } from './ast.js';
import { compileCondition, compileExpr } from './compile.js';
import { insert, WRITE_LIMITS } from './insert.js';
import { chooseAccessPath, scanPath } from './plan.js';
import type { MessageResult } from './result.js';
import { Scope } from './scope.js';
import { StatementGuard, UNLIMITED } from './statement-guard.js';
import type { StatementLimits } from './statement-guard.js';
import { checkedValue, columnIndex, message, tableOf } from './write-checks.js';

async function matchingRows(
  txn: WriteTransaction,
  schema: TableSchema,
  scope: Scope,
  where: Expr | null,
  nowMs: number,
  guard: StatementGuard,
): Promise<{ key: RowKey; values: Row; insertedAtMs: number }[]> {
  const filter = where === null ? null : compileCondition(
    where,
    { scope, nowMs, aggregatesRefused: 'in WHERE' },
    'WHERE',
  ).evaluate;
  const path = chooseAccessPath(schema, schema.name, where, nowMs);
  const matched: { key: RowKey; values: Row; insertedAtMs: number }[] = [];
  // Collect first: the statement sees the table as it was before it, never its own changes.
  for await (const batch of scanPath(txn, path)) {
    for (const row of batch) {
      if (filter === null || filter(row.values) === true) matched.push(row);
      if (guard.step()) await guard.pause();
    }
  }
  return matched;
}

async function update(
  s: Extract<Statement,
  { kind: 'update' }>,
  txn: WriteTransaction,
  nowMs: number,
): Promise<MessageResult> {
  const schema = tableOf(txn, s.table);
  const scope = new Scope();
  scope.addTable(schema, null);
  const sets = s.assignments.map((a) => {
    const column = columnIndex(schema, a.column);
    return {
      column,
      compiled: compileExpr(a.value, { scope, nowMs, aggregatesRefused: 'in UPDATE' }),
    };
  });
  // Every replica applies a write with no time limit, but yielding between slices, so a
  // 500,000-row UPDATE does not hold the loop (and the heartbeats) for 25 s.
  const guard = new StatementGuard(UNLIMITED);
  const matched = await matchingRows(txn, schema, scope, s.where, nowMs, guard);
  const changed: Row[] = [];
  for (const m of matched) {
    const values = m.values.slice();
    for (const set of sets) values[set.column] = checkedValue(
      schema,
      set.column,
      set.compiled.evaluate(m.values),
      set.compiled.type,
    );
    changed.push(values);
    // The rewritten rows are held until the transaction commits, on every replica: 300 rows
    // set to 16 MB strings ran a node out of heap, and again at each replay of the entry.
    guard.holdingText(values, 'update fewer rows (WHERE key ranges) or write shorter values; nothing was changed');
    if (guard.step()) await guard.pause();
  }
  const movesKey = sets.some((set) => schema.primaryKey.includes(set.column));
  if (movesKey) {
    // Delete all, then insert all: key swaps within one statement do not collide midway.
    await txn.deleteRows(schema.name, matched);
    for (let i = 0; i < matched.length; i++) {
      await txn.insert(
        schema.name,
        changed[i] as Row,
        (matched[i] as { insertedAtMs: number }).insertedAtMs,
      );
      if (guard.step()) await guard.pause();
    }
  } else {
    for (let i = 0; i < matched.length; i++) {
      const read = matched[i] as StoredRow;
      await txn.update(schema.name, read.key, changed[i] as Row, read);
      if (guard.step()) await guard.pause();
    }
  }
  const n = matched.length;
  return message(`Updated ${n} ${n === 1 ? 'row' : 'rows'} in ${schema.name}`, n);
}

async function remove(
  s: Extract<Statement,
  { kind: 'delete' }>,
  txn: WriteTransaction,
  nowMs: number,
): Promise<MessageResult> {
  const schema = tableOf(txn, s.table);
  const scope = new Scope();
  scope.addTable(schema, null);
  const guard = new StatementGuard(UNLIMITED);
  const matched = await matchingRows(txn, schema, scope, s.where, nowMs, guard);
  // As read: one LevelDB read per row again made a 1M-row DELETE outlast the 10 s write deadline.
  await txn.deleteRows(schema.name, matched);
  const n = matched.length;
  return message(`Deleted ${n} ${n === 1 ? 'row' : 'rows'} from ${schema.name}`, n);
}

/**
 * Execute one write or DDL statement inside `txn`; the caller keeps it atomic. `limits` bound
 * the rows an INSERT ... SELECT holds (the same constant on every replica; tests lower it).
 */
export async function executeWrite(
  s: Statement,
  txn: WriteTransaction,
  nowMs: number,
  limits: StatementLimits = WRITE_LIMITS,
): Promise<MessageResult> {
  switch (s.kind) {
    case 'insert':
      return insert(s, txn, nowMs, limits);
    case 'update':
      return update(s, txn, nowMs);
    case 'delete':
      return remove(s, txn, nowMs);
    case 'createTable':
      return createTable(s, txn);
    case 'createIndex':
      return createIndex(s, txn);
    case 'dropTable':
      return dropTable(s, txn);
    case 'dropIndex':
      return dropIndex(s, txn);
    case 'alterTable':
      return executeAlterTable(tableOf(txn, s.table), s.action, txn);
    case 'select':
    case 'compound':
    case 'showTables':
    case 'describe':
    case 'explain':
    case 'begin':
    case 'commit':
    case 'rollback':
      throw new ChronosError(
        'INVALID_ARGUMENT',
        `${s.kind.toUpperCase()} is not a write statement`,
      );
    default:
      return assertNever(s, 'statement');
  }
}

/** CREATE TABLE [IF NOT EXISTS]. */
function createTable(s: Extract<Statement, { kind: 'createTable' }>, txn: WriteTransaction): MessageResult {
  if (txn.catalog.table(s.table) !== undefined) {
    if (s.ifNotExists) return message(`Table ${s.table} already exists`, 0);
    throw new ChronosError(
      'TABLE_EXISTS',
      `Table ${s.table} already exists`,
      { details: { table: s.table } },
    );
  }
  txn.createTable({
    name: s.table,
    columns: s.columns.map((c) => ({ name: c.name, type: c.type, notNull: c.notNull })),
    primaryKey: s.primaryKey,
    ttlMs: s.ttlMs,
    ...(s.layout === null ? {} : { layout: s.layout }),
  });
  return message(`Table ${s.table} created`, 0);
}

/** CREATE INDEX [IF NOT EXISTS] over columns of an existing table. */
async function createIndex(s: Extract<Statement, { kind: 'createIndex' }>, txn: WriteTransaction): Promise<MessageResult> {
  const schema = tableOf(txn, s.table);
  if (txn.catalog.tableOfIndex(s.name) !== undefined) {
    if (s.ifNotExists) return message(`Index ${s.name} already exists`, 0);
    throw new ChronosError(
      'INDEX_EXISTS',
      `Index ${s.name} already exists`,
      { details: { index: s.name } },
    );
  }
  for (const c of s.columns) {
    if (!schema.columns.some((col) => col.name === c)) {
      throw new ChronosError(
        'UNKNOWN_COLUMN',
        `Unknown column ${c} in table ${schema.name}`,
        { details: { table: schema.name, column: c } },
      );
    }
  }
  const pass = await txn.createIndex(schema.name, s.name, s.columns);
  const created = `Index ${s.name} created`;
  return pass.done ? message(created, 0) : { ...message(`${created}${INDEX_BUILDING_NOTE}`, 0), messageWhenBuilt: created };
}

/**
 * Ends the answer to a CREATE INDEX whose table had more rows than one pass indexes: the rest are
 * indexed by later passes, between other writes, and reads use the index from the last of them.
 */
export const INDEX_BUILDING_NOTE = `; its first ${INDEX_BUILD_ROWS_PER_PASS.toLocaleString('en')} rows are indexed, ` +
  'the rest in background passes (DESCRIBE shows it as building until they are done)';

/** DROP TABLE [IF EXISTS]. */
async function dropTable(s: Extract<Statement, { kind: 'dropTable' }>, txn: WriteTransaction): Promise<MessageResult> {
  if (txn.catalog.table(s.table) === undefined) {
    if (s.ifExists) return message(`Table ${s.table} does not exist`, 0);
    throw new ChronosError(
      'UNKNOWN_TABLE',
      `Unknown table ${s.table}`,
      { details: { table: s.table } },
    );
  }
  await txn.dropTable(s.table);
  return message(`Table ${s.table} dropped`, 0);
}

/** DROP INDEX [IF EXISTS]. */
async function dropIndex(s: Extract<Statement, { kind: 'dropIndex' }>, txn: WriteTransaction): Promise<MessageResult> {
  if (txn.catalog.tableOfIndex(s.name) === undefined) {
    if (s.ifExists) return message(`Index ${s.name} does not exist`, 0);
    throw new ChronosError(
      'UNKNOWN_INDEX',
      `Unknown index ${s.name}`,
      { details: { index: s.name } },
    );
  }
  await txn.dropIndex(s.name);
  return message(`Index ${s.name} dropped`, 0);
}

