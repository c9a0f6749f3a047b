import type { StoredRow, WriteTransaction } from '../storage/index.js';

/** What one TTL pass did: rows deleted, and whether it stopped at its bound with more perhaps left. */
export interface SweepOutcome {
  readonly deleted: number;
  readonly bounded: boolean;
}

/**
 * Deletes the expired rows of every table with a TTL, at most `rowsMax` of them (those that
 * expire first, table by table in name order: the same rows on every replica).
 */
export async function sweepExpired(txn: WriteTransaction, nowMs: number, rowsMax = Number.POSITIVE_INFINITY): Promise<SweepOutcome> {
  let deleted = 0;
  for (const table of txn.catalog.tables()) {
    if (table.ttlMs === null) continue;
    // Collect first: deleting while the TTL index is being iterated would change it underfoot.
    const expired: StoredRow[] = [];
    scan: for await (const batch of txn.scanExpired(table.name, nowMs)) {
      for (const row of batch) {
        if (deleted + expired.length >= rowsMax) break scan;
        expired.push(row);
      }
    }
    // As read: the pass's rows are few (TTL_PASS_ROWS_MAX), and each need not be read twice.
    await txn.deleteRows(table.name, expired);
    deleted += expired.length;
    if (deleted >= rowsMax) return { deleted, bounded: true };
  }
  return { deleted, bounded: false };
}
