import { ChronosError } from '../lib/index.js';
import type { RowKey, WriteTransaction } from '../storage/index.js';

/**
 * The TTL pass as a replicated command: the leader fixes the cutoff time, and every replica
 * deletes the same rows (those whose insertedAtMs + ttl <= nowMs). Encoded apart from write
 * commands by its first byte, so a log can hold both.
 */
const TTL_SWEEP_TAG = 0x54; // 'T'; write commands start with their format version, 1
const TTL_SWEEP_BYTES = 9;

/** Encodes a TTL pass at `nowMs`. */
export function encodeTtlSweep(nowMs: number): Uint8Array {
  const out = new Uint8Array(TTL_SWEEP_BYTES);
  out[0] = TTL_SWEEP_TAG;
  new DataView(out.buffer).setFloat64(1, nowMs, false);
  return out;
}

/** True when `bytes` is a TTL pass rather than a write command. */
export function isTtlSweep(bytes: Uint8Array): boolean {
  return bytes[0] === TTL_SWEEP_TAG;
}

/** The cutoff of an encoded TTL pass; CORRUPTION on malformed bytes. */
export function decodeTtlSweep(bytes: Uint8Array): number {
  if (bytes.length !== TTL_SWEEP_BYTES || bytes[0] !== TTL_SWEEP_TAG) {
    throw new ChronosError('CORRUPTION', `Corrupt TTL command: ${bytes.length} bytes`);
  }
  const nowMs = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getFloat64(1, false);
  if (!Number.isFinite(nowMs)) throw new ChronosError('CORRUPTION', 'Corrupt TTL command: bad time');
  return nowMs;
}

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
    for (const key of expired) await txn.delete(table.name, key);
    deleted += expired.length;
  }
  return deleted;
}
