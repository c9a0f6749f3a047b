import { ChronosError, isChronosError } from '../lib/index.js';
import type { SqlValue, TableSchema, WriteTransaction } from '../storage/index.js';
import { executeInTransaction, parseStatement } from '../sql/index.js';
import { compareHlc, checkHlc, formatHlc, type HlcStamp } from './hlc-stamp.js';
import { missingColumn, missingTable, schemaMismatch, tableDifference } from './schema-mismatch.js';
import { decodeSyncOp, type SyncOp } from './sync-op.js';

/** A batch an edge shipped, as the target's log carries it. */
export interface SyncBatchCommand {
  readonly edgeId: string;
  /** The target leader's time when it proposed the batch (bounds how far ahead stamps may be). */
  readonly nowMs: number;
  readonly ops: readonly { readonly id: number; readonly data: Uint8Array }[];
}

/** What applying a batch did. */
export interface SyncApplied {
  /** Highest op id of this edge the target now holds (its cursor). */
  readonly cursor: number;
  readonly applied: number;
  /** Ops at or below the cursor: a batch sent again after its answer was lost. */
  readonly duplicates: number;
  /** Upserts and deletes that lost to a newer stamp for their key. */
  readonly superseded: number;
}

/**
 * Stamps more than this far ahead of the target's clock are refused: a far-ahead edge clock
 * would otherwise win every later write to the same keys until real time caught up with it.
 */
export const MAX_CLOCK_DRIFT_MS = 60_000;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const cursorName = (edgeId: string): string => `sync-cursor:${edgeId}`;

function tableFor(txn: WriteTransaction, opId: number, name: string, columns: readonly string[]): TableSchema {
  const schema = txn.catalog.table(name);
  if (schema === undefined) throw missingTable(opId, name, columns);
  return schema;
}

/** Runs a row write; a value the target's column can't hold is the table's mismatch, named as such. */
async function writingRow(opId: number, schema: TableSchema, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (!isChronosError(error, 'TYPE_MISMATCH')) throw error;
    throw schemaMismatch(opId, schema.name, { what: error.message,
      fix: `give the column the type it has on the edge (DESCRIBE ${schema.name} on both sides)` });
  }
}

/** The op's values placed in the target table's column order (absent columns NULL). */
function rowInTargetOrder(schema: TableSchema, opId: number, columns: readonly string[], values: readonly SqlValue[]): SqlValue[] {
  const row: SqlValue[] = schema.columns.map(() => null);
  columns.forEach((name, i) => {
    const position = schema.columns.findIndex((column) => column.name === name);
    if (position < 0) throw missingColumn(opId, schema.name, name);
    row[position] = values[i] ?? null;
  });
  return row;
}

/** The stored winning stamp of one key (tombstones keep theirs). */
const stampName = (schema: TableSchema, key: readonly SqlValue[]): string =>
  `sync-lww:${schema.id}:${JSON.stringify(key, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`;

/** Last-writer-wins: applies `write` when `hlc` is newer than the key's stored stamp. */
async function lastWriterWins(txn: WriteTransaction, schema: TableSchema, key: readonly SqlValue[], hlc: HlcStamp,
  write: () => Promise<void>): Promise<boolean> {
  const name = stampName(schema, key);
  const stored = await txn.getNamedValue(name);
  if (stored !== undefined && compareHlc(hlc, checkHlc(JSON.parse(decoder.decode(stored)), name)) <= 0) return false;
  await write();
  txn.putNamedValue(name, encoder.encode(JSON.stringify(hlc)));
  return true;
}

async function applyUpsert(txn: WriteTransaction, op: Extract<SyncOp, { kind: 'upsert' }>, opId: number, nowMs: number): Promise<boolean> {
  const schema = tableFor(txn, opId, op.table, op.columns);
  const row = rowInTargetOrder(schema, opId, op.columns, op.row);
  const key = schema.primaryKey.map((p) => row[p] ?? null);
  if (schema.primaryKey.length === 0) {
    throw schemaMismatch(opId, schema.name, { what: 'it has a primary key on the edge but none on the target',
      fix: `make ${schema.name} again with the edge's PRIMARY KEY (DESCRIBE ${schema.name} on the edge)` });
  }
  return lastWriterWins(txn, schema, key, op.hlc, () => writingRow(opId, schema, async () => {
    const existing = await txn.get(schema.name, key);
    if (existing === undefined) await txn.insert(schema.name, row, nowMs);
    else await txn.update(schema.name, existing.key, row);
  }));
}

async function applyDelete(txn: WriteTransaction, op: Extract<SyncOp, { kind: 'delete' }>, opId: number): Promise<boolean> {
  const schema = tableFor(txn, opId, op.table, op.keyColumns);
  const keyRow = rowInTargetOrder(schema, opId, op.keyColumns, op.key);
  const key = schema.primaryKey.map((p) => keyRow[p] ?? null);
  return lastWriterWins(txn, schema, key, op.hlc, async () => {
    const existing = await txn.get(schema.name, key);
    if (existing !== undefined) await txn.delete(schema.name, existing.key);
  });
}

/**
 * DDL as the edge ran it. Several edges create and drop the same tables, so replaying is
 * lenient where the outcome is already there: CREATE TABLE of a table with the same columns,
 * by name and type in any order, since ops name their columns (or
 * IF NOT EXISTS, as line-protocol measurements are told, each column then added IF NOT EXISTS),
 * CREATE INDEX of an index with the same name, table and columns, and DROP of something already
 * gone are no-ops. A table or index of the same name but another shape is a schema mismatch.
 */
async function applyDdl(txn: WriteTransaction, sql: string, opId: number, nowMs: number): Promise<void> {
  const statement = parseStatement(sql);
  const catalog = txn.catalog;
  switch (statement.kind) {
    case 'createTable': {
      const existing = catalog.table(statement.table);
      if (existing === undefined) break;
      if (statement.ifNotExists) return;
      const difference = tableDifference(existing, statement.columns);
      if (difference === null) return;
      throw schemaMismatch(opId, existing.name, difference);
    }
    case 'createIndex': {
      const owner = catalog.tableOfIndex(statement.name);
      if (owner === undefined) break;
      const index = owner.indexes.find((i) => i.name === statement.name.toLowerCase());
      const columns = index?.columns.map((p) => owner.columns[p]?.name) ?? [];
      const same = owner.name === statement.table.toLowerCase() &&
        columns.join(',') === statement.columns.map((c) => c.toLowerCase()).join(',');
      if (same) return;
      throw schemaMismatch(opId, owner.name, { what: `index ${statement.name} exists on the target over other columns`,
        fix: `DROP INDEX ${statement.name}, and the edge's CREATE INDEX makes it again` });
    }
    case 'dropTable':
      if (catalog.table(statement.table) === undefined) return;
      break;
    case 'dropIndex':
      if (catalog.tableOfIndex(statement.name) === undefined) return;
      break;
    default:
      break;
  }
  await executeInTransaction(sql, txn, nowMs);
}

/** Applies one op; false when LWW kept a newer value. */
async function applyOp(txn: WriteTransaction, op: SyncOp, opId: number, nowMs: number): Promise<boolean> {
  if (op.hlc.physicalMs > nowMs + MAX_CLOCK_DRIFT_MS) {
    throw new ChronosError('INVALID_ARGUMENT',
      `op ${opId} is stamped ${formatHlc(op.hlc)}, ${op.hlc.physicalMs - nowMs} ms ahead of the target's clock ` +
      `(more than ${MAX_CLOCK_DRIFT_MS} ms): fix the edge's clock (NTP)`, { details: { op: opId } });
  }
  switch (op.kind) {
    case 'ddl':
      await applyDdl(txn, op.sql, opId, nowMs);
      return true;
    case 'append': {
      const schema = tableFor(txn, opId, op.table, op.columns);
      const row = rowInTargetOrder(schema, opId, op.columns, op.row);
      await writingRow(opId, schema, async () => {
        await txn.insert(schema.name, row, nowMs);
      });
      return true;
    }
    case 'upsert':
      return applyUpsert(txn, op, opId, nowMs);
    case 'delete':
      return applyDelete(txn, op, opId);
  }
}

/**
 * Applies an edge's batch inside the apply transaction: ops above the edge's cursor in order,
 * then the cursor, in the same batch as their rows. Throws (the caller rolls everything back)
 * when an op can't apply: nothing of the batch is kept and the cursor stays.
 */
export async function applySyncBatch(txn: WriteTransaction, batch: SyncBatchCommand): Promise<SyncApplied> {
  const name = cursorName(batch.edgeId);
  const stored = await txn.getNamedValue(name);
  let cursor = stored === undefined ? 0 : Number(decoder.decode(stored));
  let applied = 0;
  let duplicates = 0;
  let superseded = 0;
  for (const { id, data } of batch.ops) {
    if (id <= cursor) {
      duplicates += 1;
      continue;
    }
    let op: SyncOp;
    try {
      op = decodeSyncOp(data, `op ${id}`);
    } catch (error) {
      throw new ChronosError('INVALID_ARGUMENT', (error as Error).message, { cause: error });
    }
    if (await applyOp(txn, op, id, batch.nowMs)) applied += 1;
    else superseded += 1;
    cursor = id;
  }
  txn.putNamedValue(name, encoder.encode(String(cursor)));
  return { cursor, applied, duplicates, superseded };
}

/** The cursor of `edgeId` (0 before its first batch). */
export async function syncCursor(reader: { getNamedValue(name: string): Promise<Uint8Array | undefined> }, edgeId: string): Promise<number> {
  const stored = await reader.getNamedValue(cursorName(edgeId));
  return stored === undefined ? 0 : Number(decoder.decode(stored));
}
