import type { StorageReader, WriteTransaction } from '../storage/index.js';
import { encodeSyncOp, type SyncOp } from './sync-op.js';

/**
 * The edge's outbox: ops kept as named values in storage, written in the same transaction as
 * the effects they describe, numbered 1, 2, 3, ... (never reused), removed only once the target
 * acknowledged them (through the log, so every replica of an edge agrees).
 */
const ENTRY_PREFIX = 'sync-outbox:';
const NEXT_ID = 'sync-outbox-next';
const ACKED_ID = 'sync-outbox-acked';
/** The id the outbox started at: acknowledged ids above it mean the target once held ops. */
const START_ID = 'sync-outbox-start';
const BYTES = 'sync-outbox-bytes';
const ID_DIGITS = 16;

/** One queued op as it is shipped. */
export interface OutboxEntry {
  readonly id: number;
  readonly data: Uint8Array;
}

/** What the outbox holds. */
export interface OutboxStats {
  readonly pendingOps: number;
  readonly bytes: number;
  /** Highest op id the target acknowledged. */
  readonly ackedId: number;
  /** True once the target acknowledged any op of this outbox. */
  readonly everAcknowledged: boolean;
}

const entryName = (id: number): string => `${ENTRY_PREFIX}${String(id).padStart(ID_DIGITS, '0')}`;

async function readCounter(reader: StorageReader, name: string): Promise<number> {
  const bytes = await reader.getNamedValue(name);
  return bytes === undefined ? 0 : Number(new TextDecoder().decode(bytes));
}

function writeCounter(txn: WriteTransaction, name: string, value: number): void {
  txn.putNamedValue(name, new TextEncoder().encode(String(value)));
}

/**
 * Queues `ops` in order (inside the transaction of their effects). The first op of an outbox
 * gets the id nowMs x 1000 (the leader's time of the write): a node whose disk was replaced
 * starts its new outbox far above every id its old one used, so the target's cursor for this
 * edge never makes it skip new ops as resent ones.
 */
export async function appendToOutbox(txn: WriteTransaction, ops: readonly SyncOp[], nowMs: number): Promise<void> {
  const stored = await txn.getNamedValue(NEXT_ID);
  let next = stored === undefined ? Math.floor(nowMs) * 1000 : await readCounter(txn, NEXT_ID);
  if (stored === undefined) {
    writeCounter(txn, ACKED_ID, next);
    writeCounter(txn, START_ID, next);
  }
  let bytes = await readCounter(txn, BYTES);
  for (const op of ops) {
    next += 1;
    const data = encodeSyncOp(op);
    txn.putNamedValue(entryName(next), data);
    bytes += data.length;
  }
  writeCounter(txn, NEXT_ID, next);
  writeCounter(txn, BYTES, bytes);
}

/** The oldest `limit` queued ops, in id order. */
export async function readOutbox(reader: StorageReader, limit: number): Promise<OutboxEntry[]> {
  const values = await reader.namedValuesWithPrefix(ENTRY_PREFIX, null, limit);
  return values.map(({ name, value }) => ({ id: Number(name.slice(ENTRY_PREFIX.length)), data: value }));
}

/** Every queued op, in id order, read a page at a time. */
export async function* allQueuedOps(reader: StorageReader, pageSize = 1_000): AsyncGenerator<OutboxEntry> {
  let after: string | null = null;
  for (;;) {
    const page = await reader.namedValuesWithPrefix(ENTRY_PREFIX, after, pageSize);
    for (const { name, value } of page) yield { id: Number(name.slice(ENTRY_PREFIX.length)), data: value };
    const last = page.at(-1);
    if (last === undefined || page.length < pageSize) return;
    after = last.name;
  }
}

/** Removes the ops with ids up to `throughId` (the target holds them); returns how many. */
export async function acknowledgeOutbox(txn: WriteTransaction, throughId: number): Promise<number> {
  const acked = await readCounter(txn, ACKED_ID);
  if (throughId <= acked) return 0;
  let bytes = await readCounter(txn, BYTES);
  let removed = 0;
  for (const entry of await readOutbox(txn, throughId - acked)) {
    if (entry.id > throughId) break;
    txn.deleteNamedValue(entryName(entry.id));
    bytes -= entry.data.length;
    removed += 1;
  }
  writeCounter(txn, ACKED_ID, throughId);
  writeCounter(txn, BYTES, Math.max(0, bytes));
  return removed;
}

/** Pending ops, their bytes, and the last acknowledged id. */
export async function outboxStats(reader: StorageReader): Promise<OutboxStats> {
  const [next, acked, bytes, start] = await Promise.all([
    readCounter(reader, NEXT_ID), readCounter(reader, ACKED_ID), readCounter(reader, BYTES), readCounter(reader, START_ID)]);
  return { pendingOps: Math.max(0, next - acked), bytes, ackedId: acked, everAcknowledged: acked > start };
}
