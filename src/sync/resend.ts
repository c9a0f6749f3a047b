import type { StorageReader, TableSchema } from '../storage/index.js';
import { quoteIdentifier } from '../lib/index.js';
import type { HlcStamp } from './hlc-stamp.js';
import { readLastStamp } from './hlc.js';
import { allQueuedOps, readOutbox } from './outbox.js';
import { decodeSyncOp, type SyncOp } from './sync-op.js';

/**
 * Rebuilding an edge's tables on a sync target that lost ops it had acknowledged (started
 * with `--clean`, as the guide's cloud command is, or restored from an older backup): its
 * cursor for the edge is then below what the edge's outbox counts as delivered, and the ops
 * that made its rows are gone from the outbox. The edge then sends what it holds now, read
 * from one snapshot: each table's DDL, then its rows.
 */

/** The statements that recreate `schema` (its options and indexes), lenient where it exists. */
export function schemaDdl(schema: TableSchema): string[] {
  const columns = schema.columns.map((c) => `${quoteIdentifier(c.name)} ${c.type}${c.notNull ? ' NOT NULL' : ''}`);
  if (schema.primaryKey.length > 0) {
    columns.push(`PRIMARY KEY (${schema.primaryKey.map((p) => quoteIdentifier(schema.columns[p]?.name ?? '')).join(', ')})`);
  }
  const options = [`layout = '${schema.layout}'`];
  if (schema.ttlMs !== null) options.push(`TTL = ${Math.max(1, Math.round(schema.ttlMs / 1000))}s`);
  const create = `CREATE TABLE IF NOT EXISTS ${quoteIdentifier(schema.name)} (${columns.join(', ')}) WITH (${options.join(', ')})`;
  const indexes = schema.indexes.map((index) =>
    `CREATE INDEX ${quoteIdentifier(index.name)} ON ${quoteIdentifier(schema.name)} (${index.columns.map((p) => quoteIdentifier(schema.columns[p]?.name ?? '')).join(', ')})`);
  return [create, ...indexes];
}

/**
 * The stamp resent rows carry: above every op the target acknowledged (so a row it still
 * holds from an older backup is replaced by what the edge has now) and below every op still
 * queued (so those, applied after, win). Queued ops are stamped after acknowledged ones, and
 * stamps order by (time, counter) before node id.
 */
export async function resendStamp(reader: StorageReader, nodeId: string): Promise<HlcStamp | null> {
  const [firstQueued] = await readOutbox(reader, 1);
  if (firstQueued !== undefined) {
    const queued = decodeSyncOp(firstQueued.data, `op ${firstQueued.id}`).hlc;
    return queued.logical > 0
      ? { physicalMs: queued.physicalMs, logical: queued.logical - 1, nodeId: `${nodeId}\u0000` }
      : { physicalMs: queued.physicalMs - 1, logical: Number.MAX_SAFE_INTEGER, nodeId };
  }
  const last = await readLastStamp(reader);
  return last === null ? null : { physicalMs: last.physicalMs, logical: last.logical, nodeId: `${nodeId}\u0000` };
}

/** Queued append ops per table, as encoded rows with their counts (a multiset). */
async function queuedAppends(reader: StorageReader): Promise<Map<string, Map<string, number>>> {
  const byTable = new Map<string, Map<string, number>>();
  for await (const entry of allQueuedOps(reader)) {
    const op = decodeSyncOp(entry.data, `op ${entry.id}`);
    if (op.kind !== 'append') continue;
    const rows = byTable.get(op.table) ?? new Map<string, number>();
    const key = rowKey(op.row);
    rows.set(key, (rows.get(key) ?? 0) + 1);
    byTable.set(op.table, rows);
  }
  return byTable;
}

/** A row as a map key; an INT compares equal whether it is held as number or bigint. */
function rowKey(row: readonly unknown[]): string {
  return JSON.stringify(row.map((v) => (typeof v === 'bigint' || typeof v === 'number' ? { n: String(v) } : v)));
}

/**
 * Every op that rebuilds the edge's tables from `reader`, tables by name: the DDL, then the
 * rows, upserts stamped `stamp` where there is a primary key, else appends, minus the rows
 * whose own append is still queued in the outbox (it will deliver them).
 */
export async function* resendOps(reader: StorageReader, stamp: HlcStamp): AsyncGenerator<SyncOp> {
  const queued = await queuedAppends(reader);
  const tables = [...reader.catalog.tables()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const schema of tables) {
    for (const sql of schemaDdl(schema)) yield { kind: 'ddl', hlc: stamp, sql };
    const columns = schema.columns.map((c) => c.name);
    const pending = queued.get(schema.name);
    for await (const batch of reader.scan(schema.name)) {
      for (const stored of batch) {
        if (schema.primaryKey.length > 0) {
          yield { kind: 'upsert', hlc: stamp, table: schema.name, columns, row: stored.values };
          continue;
        }
        const key = pending === undefined ? '' : rowKey(stored.values);
        const count = pending?.get(key) ?? 0;
        if (count > 0) pending?.set(key, count - 1);
        else yield { kind: 'append', hlc: stamp, table: schema.name, columns, row: stored.values };
      }
    }
  }
}
