import { assert } from '../lib/index.js';
import { ByteReader, ByteWriter, compareBytes } from './bytes.js';
import { DROPPED_RANGES_PREFIX, droppedRangeKey, inTableSpace, prefixEnd } from './keys.js';
import { successorKey, VIEW } from './kv-source.js';
import type { LevelDatabase } from './kv-source.js';

/** Keys one clearing step deletes at most (its batch takes a few ms, and commits wait behind it). */
export const CLEAR_KEYS_PER_STEP = 1_024;

type ClearWrite = { type: 'del'; key: Uint8Array } | { type: 'put'; key: Uint8Array; value: Uint8Array };

/** A dropped range's record value: its end, and where it began (the record's key moves on). */
export function droppedRangeValue(lt: Uint8Array, start: Uint8Array): Uint8Array {
  return new ByteWriter(lt.length + start.length + 2).varint(lt.length).bytes(lt).bytes(start).finish();
}

function decodeDroppedRange(value: Uint8Array): { readonly lt: Uint8Array; readonly start: Uint8Array } {
  const reader = new ByteReader(value, 'dropped range');
  const lt = reader.bytes(reader.varint());
  return { lt, start: reader.bytes(reader.remaining) };
}

/** One step of clearing: the writes to make, and what they do. */
export interface ClearStep {
  readonly writes: ClearWrite[];
  readonly keysCleared: number;
  /** True while, after these writes, a dropped range still has keys or another range waits. */
  readonly rangesLeft: boolean;
  /** The whole range, once these writes clear it: to compact. */
  readonly cleared: readonly [Uint8Array, Uint8Array] | null;
}

/**
 * The next bounded step of clearing what DROP TABLE and DROP INDEX left, or null when nothing
 * is left: at most `keysMax` keys of the first recorded range are to be deleted, and the record
 * moved past them (deleted with the last of them). The statements only record the range,
 * because a table's or index's id is never given out again and nothing reads under it once the
 * catalog forgets it: deleting a 2M-row table in the statement's own batch held the apply for
 * 40 s and cost a 3-node cluster its leader. Each node clears on its own time; what a query can
 * see is the same on every node from the statement on. Only reads: the caller writes the step
 * (nothing else writes under a dropped id, so the keys read stay valid until then).
 */
export async function nextClearStep(db: LevelDatabase, keysMax: number): Promise<ClearStep | null> {
  assert(Number.isSafeInteger(keysMax) && keysMax >= 1, 'a clearing step clears at least one key');
  const records = await db.iterator({ ...VIEW, gte: DROPPED_RANGES_PREFIX, lt: prefixEnd(DROPPED_RANGES_PREFIX), limit: 2 }).all();
  const record = records[0] as [Uint8Array, Uint8Array] | undefined;
  if (record === undefined) return null;
  const [recordKey, value] = record;
  const { lt, start } = decodeDroppedRange(value);
  const gte = recordKey.subarray(DROPPED_RANGES_PREFIX.length);
  // A damaged record must not clear the catalog or meta keys: stop rather than guess.
  assert(inTableSpace(start) && compareBytes(start, gte) <= 0 && compareBytes(gte, lt) < 0
    && compareBytes(lt, prefixEnd(start.subarray(0, 5))) <= 0,
    'a dropped range lies outside one table\'s keys');
  const keys = (await db.keys({ ...VIEW, gte, lt, limit: keysMax }).all()) as Uint8Array[];
  const rangeCleared = keys.length < keysMax;
  const writes: ClearWrite[] = keys.map((key) => ({ type: 'del', key }));
  writes.push({ type: 'del', key: recordKey });
  // The record moves past what is cleared: the next step's seek would otherwise step over
  // every key deleted so far (at 1M keys, ~80 ms a step, with commits waiting behind it).
  const last = keys[keys.length - 1];
  if (!rangeCleared && last !== undefined) writes.push({ type: 'put', key: droppedRangeKey(successorKey(last)), value });
  return {
    writes,
    keysCleared: keys.length,
    rangesLeft: !rangeCleared || records.length > 1,
    cleared: rangeCleared ? [start, lt] : null,
  };
}
