import { ChronosError, isChronosError } from '../lib/index.js';
import type { WriteTransaction, TableSchema, Row, SqlValue } from '../storage/index.js';
import type { CompoundStatement, SelectStatement, Statement } from './ast.js';
import { takeEncodedAhead } from './insert-ahead.js';
import { targetPositions, valuesRows, type ProposedRows } from './insert-rows.js';
import { ConflictHandler, type UpsertOutcome } from './on-conflict.js';
import type { MessageResult, RowsResult } from './result.js';
import { executeSelect } from './select.js';
import { executeCompound } from './set-operation.js';
import { StatementGuard, yieldToEventLoop, type StatementLimits } from './statement-guard.js';
import { resolveSubqueries } from './subqueries.js';
import { checkedValue, message, tableOf } from './write-checks.js';

type InsertStatement = Extract<Statement, { kind: 'insert' }>;

/**
 * Bounds of the SELECT of an INSERT ... SELECT, whose rows are held before the first is
 * inserted. A constant, not the node's CHRONOS_MAX_MATERIALIZED_ROWS: every replica applies
 * the write and must accept or refuse it alike. No time limit, for the same reason.
 */
export const WRITE_LIMITS: StatementLimits = { timeoutMs: Infinity, maxMaterializedRows: 1_000_000 };

/** Answer the SELECT of INSERT ... SELECT over the transaction, before anything is inserted. */
async function queryRows(
  query: SelectStatement | CompoundStatement,
  txn: WriteTransaction,
  nowMs: number,
  limits: StatementLimits,
): Promise<RowsResult> {
  const guard = new StatementGuard(limits);
  let result;
  try {
    result = query.kind === 'select'
      ? await executeSelect((await resolveSubqueries(query, txn, nowMs, guard)) as SelectStatement, txn, nowMs, guard)
      : await executeCompound(query, txn, nowMs, guard);
  } catch (error) {
    // The row cap's own words name the setting, which does not apply to writes; other limits (text held, depth) stand.
    const rowCap = isChronosError(error, 'LIMIT_EXCEEDED') && error.message.includes('CHRONOS_MAX_MATERIALIZED_ROWS');
    throw rowCap ? tooManyRows(limits) : error;
  }
  if (result.kind !== 'rows') throw new ChronosError('INVALID_ARGUMENT', 'INSERT ... SELECT: the query gave no rows');
  if (result.rows.length > limits.maxMaterializedRows) throw tooManyRows(limits);
  return result;
}

function tooManyRows(limits: StatementLimits): ChronosError {
  return new ChronosError(
    'LIMIT_EXCEEDED',
    `INSERT ... SELECT holds more than ${limits.maxMaterializedRows} rows before inserting them ` +
      '(a fixed limit of writes, the same on every replica); insert in ranges (WHERE id BETWEEN ...)',
    { details: { limit: limits.maxMaterializedRows } },
  );
}

/** The rows of `INSERT ... SELECT`: the query is answered in full first. */
async function selectedRows(
  query: SelectStatement | CompoundStatement,
  schema: TableSchema,
  positions: readonly number[],
  context: { txn: WriteTransaction; nowMs: number; limits: StatementLimits },
): Promise<ProposedRows> {
  const result = await queryRows(query, context.txn, context.nowMs, context.limits);
  if (result.columns.length !== positions.length) {
    throw new ChronosError(
      'INVALID_ARGUMENT',
      `INSERT INTO ${schema.name}: the SELECT gives ${result.columns.length} columns for ${positions.length} target columns`,
    );
  }
  const row = (r: number): Row => {
    const selected = result.rows[r] as Row;
    const values: SqlValue[] = new Array<SqlValue>(schema.columns.length).fill(null);
    positions.forEach((pos, i) => {
      values[pos] = checkedValue(schema, pos, selected[i] ?? null, result.columnTypes[i] ?? null);
    });
    return values;
  };
  return { count: result.rows.length, row };
}

/** Rows handed to storage per call; the loop turns between chunks. */
const INSERT_CHUNK_ROWS = 5_000;
/**
 * Characters of text per chunk: 5,000 rows of 16,000 characters took ~0.7 s to encode in one
 * call (an INSERT ... SELECT of 160 MB held a node's loop that long).
 */
const INSERT_CHUNK_CHARACTERS = 2 * 1024 * 1024;

/**
 * Stores the rows in chunks: one storage call per chunk saves the per-row bookkeeping, the
 * chunk bounds what is held at once, and a turn of the event loop between chunks keeps a huge
 * INSERT from holding it. The statement's savepoint makes the whole INSERT atomic. A row that
 * fails its checks first stores the rows before it (which may fail first), as one at a time would.
 */
async function insertInChunks(txn: WriteTransaction, schema: TableSchema, rows: ProposedRows, nowMs: number): Promise<void> {
  let chunk: Row[] = [];
  let characters = 0;
  const flush = async (): Promise<void> => {
    if (chunk.length > 0) await txn.insertMany(schema.name, chunk, nowMs);
    chunk = [];
    characters = 0;
  };
  for (let r = 0; r < rows.count; r++) {
    let row: Row;
    try {
      row = rows.row(r);
    } catch (error) {
      await flush();
      throw error;
    }
    chunk.push(row);
    for (const value of row) if (typeof value === 'string') characters += value.length;
    if (chunk.length === INSERT_CHUNK_ROWS || characters >= INSERT_CHUNK_CHARACTERS) {
      await flush();
      await yieldToEventLoop();
    }
  }
  await flush();
}

/** `INSERT INTO t [(cols)] VALUES ... | SELECT ...`: all rows are computed, then inserted. */
export async function insert(
  s: InsertStatement,
  txn: WriteTransaction,
  nowMs: number,
  limits: StatementLimits = WRITE_LIMITS,
): Promise<MessageResult> {
  const schema = tableOf(txn, s.table);
  const ahead = takeEncodedAhead(s, nowMs);
  if (ahead !== null && (await txn.insertEncoded(ahead))) return message(`Inserted into ${schema.name}`, ahead.values.length);
  const positions = targetPositions(schema, s.columns);
  const conflicts = s.onConflict === undefined ? null : new ConflictHandler(schema, s.onConflict, nowMs);
  const rows = s.query === undefined
    ? valuesRows(s, schema, positions, nowMs)
    : await selectedRows(s.query, schema, positions, { txn, nowMs, limits });
  if (conflicts === null) {
    await insertInChunks(txn, schema, rows, nowMs);
    return message(`Inserted into ${schema.name}`, rows.count);
  }
  const counts: Record<UpsertOutcome, number> = { inserted: 0, updated: 0, skipped: 0 };
  for (let r = 0; r < rows.count; r++) counts[await conflicts.apply(txn, rows.row(r), nowMs)]++;
  const updated = s.onConflict?.action === 'update' ? `${counts.updated} updated, ` : '';
  const what = `${updated}${counts.skipped} skipped`;
  return message(
    `Inserted into ${schema.name} (${counts.inserted} new, ${what} on conflict)`,
    counts.inserted + counts.updated,
  );
}
