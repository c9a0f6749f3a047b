import { ChronosError } from '../lib/index.js';
import type { StorageReader, WriteTransaction } from '../storage/index.js';
import { encodeSyncOp, type SyncOp } from './sync-op.js';

/**
 * The edge's outbox: ops kept as named values in storage, written in the same transaction as
 * the effects they describe, numbered in ascending order (never reused), removed only once the
 * target acknowledged them (through the log, so every replica of an edge agrees).
 *
 * An op's id is at least the write's time in ms x 1000. The target skips ids at or below its
 * cursor for the edge as already held, so ids must rise across everything that can restart an
 * outbox's counter: a replaced disk (the counter is gone) and a restored backup (the counter is
 * back where the backup stood, below ids the edge used after it). Time is the one thing that
 * moved on past all of them. Ids therefore have gaps, and the pending count is kept apart.
 */
const ENTRY_PREFIX = 'sync-outbox:';
const NEXT_ID = 'sync-outbox-next';
const ACKED_ID = 'sync-outbox-acked';
/** The id the outbox started at: acknowledged ids above it mean the target once held ops. */
const START_ID = 'sync-outbox-start';
const BYTES = 'sync-outbox-bytes';
/** Ops queued and not yet acknowledged; absent in outboxes written when ids had no gaps. */
const PENDING = 'sync-outbox-pending';
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
  /** The highest op id this outbox ever numbered (0 before its first op). */
  readonly lastNumberedId: number;
}

const entryName = (id: number): string => `${ENTRY_PREFIX}${String(id).padStart(ID_DIGITS, '0')}`;

async function readCounter(reader: StorageReader, name: string): Promise<number> {
  const bytes = await reader.getNamedValue(name);
  return bytes === undefined ? 0 : Number(new TextDecoder().decode(bytes));
}

function writeCounter(txn: WriteTransaction, name: string, value: number): void {
  txn.putNamedValue(name, new TextEncoder().encode(String(value)));
}

/** The pending count: stored, or for an outbox from before it was kept, the ids between acked and next. */
async function readPending(reader: StorageReader): Promise<number> {
  if (await reader.getNamedValue(PENDING) !== undefined) return readCounter(reader, PENDING);
  return Math.max(0, await readCounter(reader, NEXT_ID) - await readCounter(reader, ACKED_ID));
}

/** The id after `last` for a write at `nowMs`: above `last`, and at least nowMs x 1000 while that is a safe integer. */
function firstIdAfter(last: number, nowMs: number, count: number): number {
  const fromTime = Math.floor(nowMs) * 1000;
  const first = Number.isSafeInteger(fromTime + count) ? Math.max(last + 1, fromTime) : last + 1;
  if (!Number.isSafeInteger(first + count)) {
    throw new ChronosError('RESOURCE_EXHAUSTED', `not applied: sync outbox op ids are exhausted at ${last} ` +
      `(the edge's clock reads ${nowMs} ms): check the edge's clock`);
  }
  return first;
}

/** Queues `ops` in order (inside the transaction of their effects; `nowMs` is the leader's time of the write). */
export async function appendToOutbox(txn: WriteTransaction, ops: readonly SyncOp[], nowMs: number): Promise<void> {
  if (ops.length === 0) return;
  const stored = await txn.getNamedValue(NEXT_ID);
  const started = stored !== undefined;
  const pending = await readPending(txn);
  const last = started ? Number(new TextDecoder().decode(stored)) : 0;
  let id = firstIdAfter(last, nowMs, ops.length) - 1;
  if (!started) {
    // Acknowledged ids above the start mean the target once held ops of this outbox.
    writeCounter(txn, ACKED_ID, id);
    writeCounter(txn, START_ID, id);
  }
  let bytes = await readCounter(txn, BYTES);
  for (const op of ops) {
    id += 1;
    const data = encodeSyncOp(op);
    txn.putNamedValue(entryName(id), data);
    bytes += data.length;
  }
  writeCounter(txn, NEXT_ID, id);
  writeCounter(txn, BYTES, bytes);
  writeCounter(txn, PENDING, pending + ops.length);
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
  const pending = await readPending(txn);
  let bytes = await readCounter(txn, BYTES);
  let removed = 0;
  // Ids have gaps: the ops up to throughId are at most the pending ones.
  for (const entry of await readOutbox(txn, Math.min(throughId - acked, pending))) {
    if (entry.id > throughId) break;
    txn.deleteNamedValue(entryName(entry.id));
    bytes -= entry.data.length;
    removed += 1;
  }
  writeCounter(txn, ACKED_ID, throughId);
  writeCounter(txn, BYTES, Math.max(0, bytes));
  writeCounter(txn, PENDING, pending - removed);
  return removed;
}

/** Pending ops, their bytes, and the last acknowledged id. */
export async function outboxStats(reader: StorageReader): Promise<OutboxStats> {
  const [pendingOps, acked, bytes, start, next] = await Promise.all([readPending(reader), readCounter(reader, ACKED_ID),
    readCounter(reader, BYTES), readCounter(reader, START_ID), readCounter(reader, NEXT_ID)]);
  return { pendingOps, bytes, ackedId: acked, everAcknowledged: acked > start, lastNumberedId: next };
}
