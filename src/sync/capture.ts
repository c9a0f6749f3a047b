import { ChronosError, isChronosError } from '../lib/index.js';
import type { RowChange, WriteTransaction } from '../storage/index.js';
import { executeInTransaction } from '../sql/index.js';
import type { StatementResult, WriteCommand, WriteOutcome } from '../sql/index.js';
import type { HlcStamp } from './hlc-stamp.js';
import { nextStamp, readLastStamp, writeLastStamp } from './hlc.js';
import { appendToOutbox } from './outbox.js';
import type { SyncOp } from './sync-op.js';

/** Statements an edge ships as text: they change tables, not rows. */
const DDL = /^\s*(CREATE|DROP|ALTER)\b/i;

/** The op that carries a row change to the target. */
function opOf(change: RowChange, hlc: HlcStamp): SyncOp {
  const { table, kind, values } = change;
  const columns = table.columns.map((column) => column.name);
  if (table.primaryKey.length === 0) {
    if (kind !== 'insert') {
      throw new ChronosError('UNSUPPORTED',
        `${kind === 'update' ? 'UPDATE' : 'DELETE'} on table ${table.name} can't be synced: it has no PRIMARY KEY, ` +
        'so the sync target only appends its rows; give the table a primary key to update or delete rows on an edge',
        { details: { table: table.name } });
    }
    return { kind: 'append', hlc, table: table.name, columns, row: values };
  }
  if (kind === 'delete') {
    return { kind: 'delete', hlc, table: table.name, keyColumns: table.primaryKey.map((p) => columns[p] ?? ''),
      key: table.primaryKey.map((p) => values[p] ?? null) };
  }
  return { kind: 'upsert', hlc, table: table.name, columns, row: values };
}

/** Collects the ops of one command's changes; `ddl(sql)` adds a statement's text in order. */
export interface OpCollector {
  ddl(sql: string): void;
}

/**
 * Runs `apply` (one command's effects) with every row change it makes recorded as an op, then
 * queues the ops in the outbox in the same transaction, stamped from the leader's time of the
 * command. If `apply` throws, nothing is queued (the caller rolls the command back).
 */
export async function capturingOps<T>(txn: WriteTransaction, nowMs: number, nodeId: string,
  apply: (collector: OpCollector) => Promise<T>): Promise<T> {
  let last = await readLastStamp(txn);
  const stamp = (): HlcStamp => (last = nextStamp(last, nowMs, nodeId));
  const ops: SyncOp[] = [];
  txn.observeRowChanges((change) => ops.push(opOf(change, stamp())));
  let result: T;
  try {
    result = await apply({ ddl: (sql) => ops.push({ kind: 'ddl', hlc: stamp(), sql }) });
  } finally {
    txn.observeRowChanges(null);
  }
  if (ops.length > 0 && last !== null) {
    await appendToOutbox(txn, ops, nowMs);
    writeLastStamp(txn, last);
  }
  return result;
}

/**
 * applyWriteCommand on a node that syncs to a target: the same statements, atomically, and
 * the ops they produce (row images, tombstones, DDL text) queued in the outbox in the same
 * transaction.
 */
export async function applyCapturedWrite(cmd: WriteCommand, txn: WriteTransaction, nodeId: string): Promise<WriteOutcome> {
  const savepoint = txn.savepoint();
  try {
    const results = await capturingOps(txn, cmd.nowMs, nodeId, async (collector) => {
      const out: StatementResult[] = [];
      for (const sql of cmd.statements) {
        out.push(await executeInTransaction(sql, txn, cmd.nowMs));
        if (DDL.test(sql)) collector.ddl(sql);
      }
      return out;
    });
    return { ok: true, results };
  } catch (error) {
    txn.rollbackTo(savepoint);
    if (isChronosError(error)) return { ok: false, error };
    throw error;
  }
}
