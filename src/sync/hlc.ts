import type { StorageReader, WriteTransaction } from '../storage/index.js';
import { checkHlc, type HlcStamp } from './hlc-stamp.js';

const LAST_STAMP = 'sync-hlc';

/**
 * The stamp after `last` for an event at `physicalMs` on `nodeId`: the wall time when it is
 * ahead, else the last time with the counter moved on, so stamps never go back even when the
 * clock does. Edges stamp ops at apply from the leader's time of the write and the last stamp
 * stored, so every replica of an edge computes the same stamps.
 */
export function nextStamp(last: HlcStamp | null, physicalMs: number, nodeId: string): HlcStamp {
  if (last !== null && last.physicalMs >= physicalMs) {
    return { physicalMs: last.physicalMs, logical: last.logical + 1, nodeId };
  }
  return { physicalMs, logical: 0, nodeId };
}

/** The last stamp this node issued (persisted with the ops it stamped), or null. */
export async function readLastStamp(reader: StorageReader): Promise<HlcStamp | null> {
  const bytes = await reader.getNamedValue(LAST_STAMP);
  return bytes === undefined ? null : checkHlc(JSON.parse(new TextDecoder().decode(bytes)), 'the stored HLC');
}

/** Persists `stamp` in the transaction that stores the ops it stamped. */
export function writeLastStamp(txn: WriteTransaction, stamp: HlcStamp): void {
  txn.putNamedValue(LAST_STAMP, new TextEncoder().encode(JSON.stringify(stamp)));
}
