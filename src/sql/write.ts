import { assertNever, ChronosError } from '../lib/index.js';
import type { RowKey, WriteTransaction } from '../storage/engine.js';
import type { TableSchema } from '../storage/schema.js';
import type { Row, SqlType, SqlValue } from '../storage/values.js';
import { executeAlterTable } from './alter.js';
import type { Expr, Statement } from './ast.js';
import { compileExpr, type Compiled } from './compile.js';
import { chooseAccessPath, scanPath } from './plan.js';
import type { MessageResult } from './result.js';
import { Scope } from './scope.js';
import { coerceToColumn } from './value-ops.js';

function tableOf(txn: WriteTransaction, name: string): TableSchema {
  const t = txn.catalog.table(name);
  if (t === undefined) throw new ChronosError(
    'UNKNOWN_TABLE',
    `Unknown table ${name}`,
    { details: { table: name } },
  );
  return t;
}

function message(text: string, rowsAffected: number): MessageResult {
  return { kind: 'message', message: text, rowsAffected };
}

function checkedValue(
  schema: TableSchema,
  column: number,
  value: SqlValue,
  compiled: Compiled,
): SqlValue {
  const col = schema.columns[column];
  if (col === undefined) throw new ChronosError(
    'UNKNOWN_COLUMN',
    `Unknown column #${column} in table ${schema.name}`,
  );
  const where = `${schema.name}.${col.name}`;
  const v = coerceToColumn(value, compiled.type, col.type, where);
  if (v === null && col.notNull) {
    const text = `NULL value in column ${where} violates NOT NULL`;
    throw new ChronosError('NOT_NULL_VIOLATION', text, {
      details: { table: schema.name, column: col.name },
    });
  }
  return v;
}

const NULL_CONSTANT: Compiled = { evaluate: () => null, type: null, constant: true };

/** The hot path of INSERT: a literal whose type already matches its column. */
function checkedLiteral(
  schema: TableSchema,
  column: number,
  value: SqlValue,
  type: SqlType | null,
): SqlValue {
  const col = schema.columns[column];
  if (col !== undefined && value !== null && col.type === type) return value;
  return checkedValue(schema, column, value, { evaluate: () => value, type, constant: true });
}

async function insert(
  s: Extract<Statement,
  { kind: 'insert' }>,
  txn: WriteTransaction,
  nowMs: number,
): Promise<MessageResult> {
  const schema = tableOf(txn, s.table);
  let positions: number[];
  if (s.columns === null) positions = schema.columns.map((_, i) => i);
  else {
    positions = s.columns.map((name) => {
      const i = schema.columns.findIndex((c) => c.name === name);
      if (i < 0) throw new ChronosError(
        'UNKNOWN_COLUMN',
        `Unknown column ${name} in table ${schema.name}`,
        { details: { table: schema.name, column: name } },
      );
      return i;
    });
    if (new Set(positions).size !== positions.length) {
      throw new ChronosError(
        'INVALID_ARGUMENT',
        `A column is listed twice in INSERT INTO ${schema.name}`,
      );
    }
  }
  const ctx = { scope: null, nowMs, aggregatesRefused: 'in VALUES' } as const;
  const width = schema.columns.length;
  const omitted = schema.columns.map((
    c,
    i,
  ) => (positions.includes(i) ? -1 : i)).filter((i) => i >= 0);
  for (const i of omitted) {
    if (schema.columns[i]?.notNull === true) checkedValue(schema, i, null, NULL_CONSTANT);
  }
  for (let r = 0; r < s.rows.length; r++) {
    const exprs = s.rows[r] as readonly Expr[];
    if (exprs.length !== positions.length) {
      throw new ChronosError(
        'INVALID_ARGUMENT',
        `INSERT INTO ${schema.name}: row ${r + 1} has ${exprs.length} values ` +
          `for ${positions.length} columns`,
      );
    }
    const values: SqlValue[] = new Array<SqlValue>(width).fill(null);
    for (let i = 0; i < exprs.length; i++) {
      const expr = exprs[i] as Expr;
      const pos = positions[i] as number;
      if (expr.kind === 'literal' && typeof expr.value !== 'bigint') {
        values[pos] = checkedLiteral(schema, pos, expr.value, expr.type);
      } else {
        const compiled = compileExpr(expr, ctx);
        values[pos] = checkedValue(schema, pos, compiled.evaluate([]), compiled);
      }
    }
    await txn.insert(schema.name, values, nowMs);
  }
  return message(`Inserted into ${schema.name}`, s.rows.length);
}

async function matchingRows(
  txn: WriteTransaction,
  schema: TableSchema,
  scope: Scope,
  where: Expr | null,
  nowMs: number,
): Promise<{ key: RowKey; values: Row; insertedAtMs: number }[]> {
  const filter = where === null ? null : compileExpr(
    where,
    { scope, nowMs, aggregatesRefused: 'in WHERE' },
  ).evaluate;
  const path = chooseAccessPath(schema, schema.name, where, nowMs);
  const matched: { key: RowKey; values: Row; insertedAtMs: number }[] = [];
  // Collect first: the statement sees the table as it was before it, never its own changes.
  for await (const batch of scanPath(txn, path)) {
    for (const row of batch) {
      if (filter === null || filter(row.values) === true) matched.push(row);
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
    const column = schema.columns.findIndex((c) => c.name === a.column);
    if (column < 0) throw new ChronosError(
      'UNKNOWN_COLUMN',
      `Unknown column ${a.column} in table ${schema.name}`,
      { details: { table: schema.name, column: a.column } },
    );
    return {
      column,
      compiled: compileExpr(a.value, { scope, nowMs, aggregatesRefused: 'in UPDATE' }),
    };
  });
  const matched = await matchingRows(txn, schema, scope, s.where, nowMs);
  const changed = matched.map((m) => {
    const values = m.values.slice();
    for (const set of sets) values[set.column] = checkedValue(
      schema,
      set.column,
      set.compiled.evaluate(m.values),
      set.compiled,
    );
    return values;
  });
  const movesKey = sets.some((set) => schema.primaryKey.includes(set.column));
  if (movesKey) {
    // Delete all, then insert all: key swaps within one statement do not collide midway.
    for (const m of matched) await txn.delete(schema.name, m.key);
    for (let i = 0; i < matched.length; i++) {
      await txn.insert(
        schema.name,
        changed[i] as Row,
        (matched[i] as { insertedAtMs: number }).insertedAtMs,
      );
    }
  } else {
    for (let i = 0; i < matched.length; i++) await txn.update(
      schema.name,
      (matched[i] as { key: RowKey }).key,
      changed[i] as Row,
    );
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
  const matched = await matchingRows(txn, schema, scope, s.where, nowMs);
  for (const m of matched) await txn.delete(schema.name, m.key);
  const n = matched.length;
  return message(`Deleted ${n} ${n === 1 ? 'row' : 'rows'} from ${schema.name}`, n);
}

/** Execute one write or DDL statement inside `txn`; the caller keeps it atomic. */
export async function executeWrite(
  s: Statement,
  txn: WriteTransaction,
  nowMs: number,
): Promise<MessageResult> {
  switch (s.kind) {
    case 'insert':
      return insert(s, txn, nowMs);
    case 'update':
      return update(s, txn, nowMs);
    case 'delete':
      return remove(s, txn, nowMs);
    case 'createTable': {
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
      });
      return message(`Table ${s.table} created`, 0);
    }
    case 'createIndex': {
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
      await txn.createIndex(schema.name, s.name, s.columns);
      return message(`Index ${s.name} created`, 0);
    }
    case 'dropTable': {
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
    case 'dropIndex': {
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
    case 'alterTable':
      return executeAlterTable(tableOf(txn, s.table), s.action, txn);
    case 'select':
    case 'compound':
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
