import type { RowKey, WriteTransaction } from '../storage/index.js';

/** Deletes every expired row of every table with a TTL; returns how many went. */
export async function sweepExpired(txn: WriteTransaction, nowMs: number): Promise<number> {
  let deleted = 0;
  for (const table of txn.catalog.tables()) {
    if (table.ttlMs === null) continue;
    // Collect first: deleting while the TTL index is being iterated would change it underfoot.
    const expired: RowKey[] = [];
    for await (const batch of txn.scanExpired(table.name, nowMs)) {
      for (const row of batch) expired.push(row.key);
    }
    await txn.deleteMany(table.name, expired);
    deleted += expired.length;
  }
  return deleted;
}
