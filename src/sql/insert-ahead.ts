import { isChronosError } from '../lib/index.js';
import { EncodedRowsBuilder, encodableAhead } from '../storage/index.js';
import type { Catalog, EncodedRows, TableSchema } from '../storage/index.js';
import type { Statement } from './ast.js';
import { literalRowsOf, targetPositions } from './insert-rows.js';
import { parsedStatements, PREPARE_FROM_UNITS } from './parsed-statements.js';
import { yieldToEventLoop } from './statement-guard.js';

/** Rows encoded between turns of the event loop. */
const ROWS_PER_TURN = 5_000;

/** Rows encoded ahead, by the statement tree the apply will take, for the time the write fixed. */
const encodedAhead = new WeakMap<Statement, { readonly nowMs: number; readonly rows: EncodedRows }>();

/**
 * On the node that proposes a write: encodes the rows of its long plain-literal INSERTs (parsed
 * ahead, see parsedStatements) against the current schema, before the write enters the log.
 * Writes proposed meanwhile go ahead of it, and its apply, which every write behind it in the
 * log waits for, only stores the encoded rows. A statement whose rows fail a check is left
 * alone: its apply reports the failure as always.
 */
export async function encodeInsertsAhead(statements: readonly string[], catalog: () => Catalog, nowMs: number): Promise<void> {
  for (const sql of statements) {
    // Most writes stop here: the catalog is only looked at for a long INSERT.
    if (sql.length < PREPARE_FROM_UNITS) continue;
    const statement = parsedStatements.peek(sql);
    if (statement?.kind !== 'insert' || statement.onConflict !== undefined) continue;
    const schema = catalog().table(statement.table);
    if (schema === undefined || !encodableAhead(schema)) continue;
    const rows = await encodeRows(statement, schema, nowMs);
    if (rows !== null) encodedAhead.set(statement, { nowMs, rows });
  }
}

async function encodeRows(statement: Extract<Statement, { kind: 'insert' }>, schema: TableSchema, nowMs: number): Promise<EncodedRows | null> {
  try {
    const proposed = literalRowsOf(statement, schema, targetPositions(schema, statement.columns));
    if (proposed === null) return null;
    const builder = new EncodedRowsBuilder(schema, nowMs);
    for (let r = 0; r < proposed.count; r++) {
      builder.add(proposed.row(r));
      if ((r + 1) % ROWS_PER_TURN === 0) await yieldToEventLoop();
    }
    return builder.finish();
  } catch (error) {
    // The statement fails at apply with this very error: nothing to encode ahead.
    if (isChronosError(error)) return null;
    throw error;
  }
}

/** The rows encoded ahead for `statement` at `nowMs` (removing them), or null. */
export function takeEncodedAhead(statement: Statement, nowMs: number): EncodedRows | null {
  const ahead = encodedAhead.get(statement);
  if (ahead === undefined) return null;
  encodedAhead.delete(statement);
  return ahead.nowMs === nowMs ? ahead.rows : null;
}
