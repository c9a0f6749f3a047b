import { ChronosError, isChronosError } from '../lib/index.js';
import type { StorageReader, WriteTransaction } from '../storage/index.js';
import type { Statement } from './ast.js';
import type { WriteCommand } from './command.js';
import { hasSubqueries, parseStatement } from './parse.js';
import { parsedStatements } from './parsed-statements.js';
import { explainPlan, scanOf } from './explain-plan.js';
import { describeTable, showTables } from './introspect.js';
import { describeAccessPath } from './plan.js';
import type { StatementResult } from './result.js';
import { executeSelect, planSelect } from './select.js';
import { executeCompound } from './set-operation.js';
import { resolveSubqueries } from './subqueries.js';
import { executeWrite } from './write.js';
import { StatementGuard, UNLIMITED } from './statement-guard.js';
import type { StatementLimits } from './statement-guard.js';

/** What a statement is, for routing: reads run locally, writes go through the log. */
export type StatementClass = 'read' | 'write' | 'begin' | 'commit' | 'rollback';

/** The outcome of one replicated write command: all its statements, or none. */
export type WriteOutcome =
  | { readonly ok: true; readonly results: StatementResult[] }
  | { readonly ok: false; readonly error: ChronosError };

/** Classify one statement; throws PARSE_ERROR (`Parse error: ...`) for bad SQL. */
export function classify(sql: string): StatementClass {
  return classOf(parsedStatements.remember(sql));
}

function classOf(s: Statement): StatementClass {
  switch (s.kind) {
    case 'select':
    case 'compound':
    case 'showTables':
    case 'describe':
    case 'explain':
      return 'read';
    case 'begin':
    case 'commit':
    case 'rollback':
      return s.kind;
    default:
      return 'write';
  }
}

/** Run a SELECT over a consistent reader, within `limits` (cancellation, time, rows held). */
export async function executeRead(
  sql: string,
  reader: StorageReader,
  nowMs: number,
  limits: StatementLimits = UNLIMITED,
): Promise<StatementResult> {
  const s = await parsedStatements.takeYielding(sql);
  const guard = new StatementGuard(limits);
  if (s.kind === 'compound') return executeCompound(s, reader, nowMs, guard);
  const introspected = await introspect(s, reader, nowMs);
  if (introspected !== null) return introspected;
  if (s.kind !== 'select') {
    throw new ChronosError('INVALID_ARGUMENT', `executeRead needs a SELECT, got ${s.kind}`);
  }
  return executeSelect(await withAnswers(s, reader, nowMs, guard), reader, nowMs, guard);
}

/** SHOW TABLES, DESCRIBE and EXPLAIN over `reader`; null for any other statement. */
async function introspect(s: Statement, reader: StorageReader, nowMs: number): Promise<StatementResult | null> {
  switch (s.kind) {
    case 'showTables':
      return showTables(reader.catalog);
    case 'describe':
      return describeTable(reader.catalog, s.table);
    case 'explain':
      return explainPlan(s.statement, reader, nowMs);
    default:
      return null;
  }
}

/** The statement with its subqueries answered over `reader` (most statements have none). */
async function withAnswers<S extends Statement>(s: S, reader: StorageReader, nowMs: number,
  guard: StatementGuard): Promise<S> {
  return hasSubqueries(s) ? (await resolveSubqueries(s, reader, nowMs, guard)) as S : s;
}

/** The access path the planner picks for a SELECT/UPDATE/DELETE (for tests and EXPLAIN). */
export function explain(sql: string, reader: StorageReader, nowMs = 0): string {
  const s = parseStatement(sql);
  if (s.kind === 'select') {
    const plan = planSelect(s, reader, nowMs);
    return plan.path === null ? 'NO TABLE' : describeAccessPath(plan.path);
  }
  if (s.kind === 'update' || s.kind === 'delete') {
    return describeWritePath(s, reader, nowMs);
  }
  throw new ChronosError('INVALID_ARGUMENT', `Nothing to explain for ${s.kind}`);
}

function describeWritePath(
  s: Extract<Statement,
  { kind: 'update' | 'delete' }>,
  reader: StorageReader,
  nowMs: number,
): string {
  const plan = planSelect(scanOf(s.table, s.where), reader, nowMs);
  return plan.path === null ? 'NO TABLE' : describeAccessPath(plan.path);
}

/** Run one statement (read or write) inside a write transaction (see executeWrite's `limits`). */
export async function executeInTransaction(
  sql: string,
  txn: WriteTransaction,
  nowMs: number,
  limits?: StatementLimits,
): Promise<StatementResult> {
  // A write's limits have no time limit (every replica must reach the same outcome).
  const s = await withAnswers(await parsedStatements.takeYielding(sql), txn, nowMs, new StatementGuard(limits));
  if (s.kind === 'select') return executeSelect(s, txn, nowMs);
  if (s.kind === 'compound') return executeCompound(s, txn, nowMs);
  const introspected = await introspect(s, txn, nowMs);
  if (introspected !== null) return introspected;
  if (s.kind === 'begin' || s.kind === 'commit' || s.kind === 'rollback') {
    throw new ChronosError(
      'TRANSACTION_STATE',
      `${s.kind.toUpperCase()} cannot be part of a write command`,
    );
  }
  const savepoint = txn.savepoint();
  try {
    return await executeWrite(s, txn, nowMs, limits);
  } catch (error) {
    txn.rollbackTo(savepoint);
    throw error;
  }
}

/**
 * Apply a replicated command: every statement or none. Deterministic: depends only on the
 * command (text and nowMs) and the transaction's state. Errors are results, not throws.
 */
export async function applyWriteCommand(
  cmd: WriteCommand,
  txn: WriteTransaction,
): Promise<WriteOutcome> {
  const savepoint = txn.savepoint();
  const results: StatementResult[] = [];
  try {
    for (const sql of cmd.statements) results.push(await executeInTransaction(sql, txn, cmd.nowMs));
    return { ok: true, results };
  } catch (error) {
    txn.rollbackTo(savepoint);
    if (isChronosError(error)) return { ok: false, error };
    throw error;
  }
}
