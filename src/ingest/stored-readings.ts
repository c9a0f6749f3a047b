import { assert } from '../lib/index.js';
import type { WriteTransaction } from '../storage/index.js';
import type { ReadingColumns } from './reading-columns.js';

/**
 * Which readings a table holds, kept in its dedupe index so a resent reading is stored once.
 * Per series (device, metric) the (ts, seq) of every stored reading lie in sorted runs that
 * never overlap: closed runs keyed by their first (ts, seq), and one open run, the tail, which
 * holds the newest. A reading after its series' newest (devices send in order) only appends
 * to the tail: one index read and one write per series a batch touches, not per reading. An
 * older one (a resend, a late reading) is looked up in the run that covers it and added there.
 *
 * Keys: `series | 01 | ts | seq` (a closed run) and `series | 02` (the tail), where series is
 * `u32 bytes | device UTF-8 | u32 bytes | metric UTF-8` and ts, seq are order-preserving 8-byte
 * integers. Values: the run's (ts, seq) pairs as little-endian f64s, ascending.
 */
const RUN = 0x01;
const TAIL = 0x02;
/** A tail longer than this closes into a run (it keeps its newest entry). */
export const TAIL_ENTRIES_MAX = 64;
/** A closed run that late readings grew beyond this is split. */
export const RUN_ENTRIES_MAX = 1_024;

const encoder = new TextEncoder();

/** A run being changed: its key, its entries as [ts, seq, ts, seq, ...], whether to write it back. */
interface Run {
  key: Uint8Array;
  entries: number[];
  changed: boolean;
}

/**
 * Records every reading of `readings` not yet in `table`'s index, and answers per reading
 * whether it was new (1) or already stored, or a repeat within the batch (0). A repeat keeps
 * the first copy in batch order. `skip[i] = 1` leaves reading i out (counted as stored).
 */
export async function recordFreshReadings(txn: WriteTransaction, table: string, readings: ReadingColumns,
  skip: Uint8Array | null): Promise<Uint8Array> {
  const fresh = new Uint8Array(readings.length);
  const groups = seriesGroups(readings, skip);
  const prefixes = groups.map((group) => seriesPrefix(readings, group[0] ?? 0));
  const tails = await txn.getDedupeEntries(table, prefixes.map((prefix) => withSuffix(prefix, TAIL)));
  for (let g = 0; g < groups.length; g++) {
    const prefix = prefixes[g] ?? new Uint8Array(0);
    const tail: Run = { key: withSuffix(prefix, TAIL), entries: decodeEntries(tails[g]), changed: false };
    await recordSeries(txn, table, prefix, tail, readings, groups[g] ?? [], fresh);
    if (tail.changed) closeTail(txn, table, prefix, tail);
  }
  return fresh;
}

/** Reading indexes per series, each sorted by (ts, seq) and then batch order. */
function seriesGroups(readings: ReadingColumns, skip: Uint8Array | null): number[][] {
  const bySeries = new Map<number, number[]>();
  const metrics = readings.metrics.length;
  for (let i = 0; i < readings.length; i++) {
    if (skip !== null && skip[i] === 1) continue;
    const series = (readings.device[i] ?? 0) * metrics + (readings.metric[i] ?? 0);
    const group = bySeries.get(series);
    if (group === undefined) bySeries.set(series, [i]);
    else group.push(i);
  }
  const { ts, seq } = readings;
  const groups = [...bySeries.values()];
  for (const group of groups) {
    group.sort((a, b) => ((ts[a] ?? 0) - (ts[b] ?? 0)) || ((seq[a] ?? 0) - (seq[b] ?? 0)) || (a - b));
  }
  return groups;
}

async function recordSeries(txn: WriteTransaction, table: string, prefix: Uint8Array, tail: Run,
  readings: ReadingColumns, group: readonly number[], fresh: Uint8Array): Promise<void> {
  const { ts, seq } = readings;
  let run: Run | null = null;
  let prevTs = NaN;
  let prevSeq = NaN;
  for (const i of group) {
    const t = ts[i] ?? 0;
    const s = seq[i] ?? 0;
    if (t === prevTs && s === prevSeq) continue;
    prevTs = t;
    prevSeq = s;
    const n = tail.entries.length;
    if (n === 0 || compare(t, s, tail.entries[n - 2] ?? 0, tail.entries[n - 1] ?? 0) > 0) {
      tail.entries.push(t, s);
      tail.changed = true;
      fresh[i] = 1;
    } else if (compare(t, s, tail.entries[0] ?? 0, tail.entries[1] ?? 0) >= 0) {
      if (insertEntry(tail, t, s)) fresh[i] = 1;
    } else {
      if (run === null || compare(t, s, lastTs(run), lastSeq(run)) > 0) {
        if (run !== null) writeRun(txn, table, run);
        run = await runCovering(txn, table, prefix, t, s);
      }
      if (insertEntry(run, t, s)) fresh[i] = 1;
    }
  }
  if (run !== null) writeRun(txn, table, run);
}

/** The closed run with the greatest first entry <= (ts, seq), or a new one starting there. */
async function runCovering(txn: WriteTransaction, table: string, prefix: Uint8Array, ts: number, seq: number): Promise<Run> {
  const key = runKey(prefix, ts, seq);
  const upTo = new Uint8Array(key.length + 1);
  upTo.set(key);
  const found = await txn.lastDedupeEntry(table, withSuffix(prefix, RUN), upTo);
  if (found === undefined) return { key, entries: [], changed: true };
  return { key: found.key.slice(), entries: decodeEntries(found.value), changed: false };
}

/** Adds (ts, seq) to the run in order; false when it was there. */
function insertEntry(run: Run, ts: number, seq: number): boolean {
  const entries = run.entries;
  let lo = 0;
  let hi = entries.length / 2;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const order = compare(entries[2 * mid] ?? 0, entries[2 * mid + 1] ?? 0, ts, seq);
    if (order === 0) return false;
    if (order < 0) lo = mid + 1;
    else hi = mid;
  }
  entries.splice(2 * lo, 0, ts, seq);
  run.changed = true;
  return true;
}

/** Writes a changed closed run back, split into runs of at most RUN_ENTRIES_MAX when it grew past twice that. */
function writeRun(txn: WriteTransaction, table: string, run: Run): void {
  if (!run.changed) return;
  assert(run.entries.length > 0, 'a dedupe run written empty');
  const prefix = run.key.subarray(0, run.key.length - 17);
  const chunk = run.entries.length > 4 * RUN_ENTRIES_MAX ? 2 * RUN_ENTRIES_MAX : run.entries.length;
  for (let at = 0; at < run.entries.length; at += chunk) {
    const entries = run.entries.slice(at, at + chunk);
    // The first chunk keeps the run's key; a run made for a reading below every run starts at it.
    const key = at === 0 ? run.key : runKey(prefix, entries[0] ?? 0, entries[1] ?? 0);
    txn.putDedupeEntry(table, key, encodeEntries(entries));
  }
  run.changed = false;
}

/** Writes the tail, first closing all but its newest entry into a run when it grew past TAIL_ENTRIES_MAX. */
function closeTail(txn: WriteTransaction, table: string, prefix: Uint8Array, tail: Run): void {
  const entries = tail.entries;
  if (entries.length > 2 * TAIL_ENTRIES_MAX) {
    const closed = entries.slice(0, entries.length - 2);
    for (let at = 0; at < closed.length; at += 2 * RUN_ENTRIES_MAX) {
      const chunk = closed.slice(at, at + 2 * RUN_ENTRIES_MAX);
      txn.putDedupeEntry(table, runKey(prefix, chunk[0] ?? 0, chunk[1] ?? 0), encodeEntries(chunk));
    }
    tail.entries = entries.slice(entries.length - 2);
  }
  txn.putDedupeEntry(table, tail.key, encodeEntries(tail.entries));
}

function compare(ts1: number, seq1: number, ts2: number, seq2: number): number {
  return ts1 !== ts2 ? (ts1 < ts2 ? -1 : 1) : seq1 === seq2 ? 0 : seq1 < seq2 ? -1 : 1;
}

function lastTs(run: Run): number {
  return run.entries[run.entries.length - 2] ?? -Infinity;
}

function lastSeq(run: Run): number {
  return run.entries[run.entries.length - 1] ?? -Infinity;
}

/** `u32 bytes | device | u32 bytes | metric` of reading i's series. */
function seriesPrefix(readings: ReadingColumns, i: number): Uint8Array {
  const device = encoder.encode(readings.devices[readings.device[i] ?? 0] ?? '');
  const metric = encoder.encode(readings.metrics[readings.metric[i] ?? 0] ?? '');
  const out = new Uint8Array(8 + device.length + metric.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, device.length, false);
  out.set(device, 4);
  view.setUint32(4 + device.length, metric.length, false);
  out.set(metric, 8 + device.length);
  return out;
}

function withSuffix(prefix: Uint8Array, part: number): Uint8Array {
  const out = new Uint8Array(prefix.length + 1);
  out.set(prefix);
  out[prefix.length] = part;
  return out;
}

function runKey(prefix: Uint8Array, ts: number, seq: number): Uint8Array {
  const out = new Uint8Array(prefix.length + 17);
  out.set(prefix);
  out[prefix.length] = RUN;
  const view = new DataView(out.buffer);
  writeOrderedInt(view, prefix.length + 1, ts);
  writeOrderedInt(view, prefix.length + 9, seq);
  return out;
}

/** A safe integer as 8 bytes whose byte order is the numbers' order. */
function writeOrderedInt(view: DataView, at: number, value: number): void {
  const high = Math.floor(value / 0x1_0000_0000);
  view.setUint32(at, (high + 0x8000_0000) >>> 0, false);
  view.setUint32(at + 4, value - high * 0x1_0000_0000, false);
}

function encodeEntries(entries: readonly number[]): Uint8Array {
  return new Uint8Array(Float64Array.from(entries).buffer);
}

function decodeEntries(value: Uint8Array | undefined): number[] {
  if (value === undefined || value.length === 0) return [];
  assert(value.length % 16 === 0, `a dedupe run of ${value.length} bytes is not (ts, seq) pairs`);
  const copy = new Float64Array(value.length / 8);
  new Uint8Array(copy.buffer).set(value);
  return Array.from(copy);
}
