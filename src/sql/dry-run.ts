import { ChronosError } from '../lib/index.js';
import type { StorageEngine } from '../storage/index.js';
import { executeInTransaction } from './execute.js';
import type { StatementResult } from './result.js';

/**
 * Applies `statements` to a throwaway transaction (never committed), then runs `readSql` there
 * if given; returns the result of the last statement run. What a session shows inside BEGIN
 * before COMMIT sends the statements as one command.
 */
export async function dryRun(
  engine: StorageEngine, statements: readonly string[], nowMs: number, readSql?: string,
): Promise<StatementResult> {
  const txn = await engine.begin();
  try {
    let last: StatementResult | undefined;
    for (const sql of statements) last = await executeInTransaction(sql, txn, nowMs);
    if (readSql !== undefined) last = await executeInTransaction(readSql, txn, nowMs);
    if (last === undefined) throw new ChronosError('INVALID_ARGUMENT', 'dryRun needs a statement');
    return last;
  } finally {
    await txn.rollback();
  }
}
