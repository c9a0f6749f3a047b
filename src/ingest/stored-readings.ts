import { assert, yieldToEventLoop } from '../lib/index.js';
import type { WriteTransaction } from '../storage/index.js';
import type { ReadingColumns } from './reading-columns.js';
import {
  compare, decodeEntries, encodeEntries, mergeEntries, runKey, runPrefix, SeriesPrefixes, tailKey,
} from './reading-runs.js';
import type { RunEntries } from './reading-runs.js';
import { closedLast, decodeTail, encodeTail, listedRunFor, listRun } from './series-tail.js';
import type { SeriesTail } from './series-tail.js';

/**
 * Which readings a table holds, kept in its dedupe index so a resent reading is stored once.
 * Per series (device, metric) the (ts, seq) of every stored reading lie in sorted runs that
 * never overlap: closed runs keyed by their last (ts, seq), and one open run, the tail, which
 * holds the newest and remembers the greatest closed entry. A reading after its series' newest
 * (devices send in order) only appends to the tail: one index read and one write per series a
 * batch touches, not per reading; so does one above every closed run (batches of several
 * nodes' journals arrive interleaved). An older one (a resend) belongs to the first run whose
 * last entry is not below it: it lies inside that run or in the gap before it. The tail lists
 * the newest runs' last entries (series-tail.ts), so the runs a batch needs are read with one
 * getMany; only readings older than those take a forward seek each run (LevelDB steps back
 * through rewritten keys slowly, so never backwards).
 *
 * Keys: `series | 01 | ts | seq` (a closed run, by its last entry) and `series | 02` (the
 * tail), where series is `u32 bytes | device UTF-8 | u32 bytes | metric UTF-8` and ts, seq are
 * order-preserving 8-byte integers. Values: the run's (ts, seq) pairs ascending, delta-coded
 * (reading-runs.ts encodeEntries; raw f64 runs of older versions still decode); the tail: its
 * directory and entries as delta-coded pair lists (series-tail.ts).
 */
/** A tail longer than this closes its older entries into a run. */
export const TAIL_ENTRIES_MAX = 16;
/** Entries a closing tail keeps, so readings of batches applied a little out of order land in it. */
const TAIL_ENTRIES_KEPT = TAIL_ENTRIES_MAX / 2;
/** A closed run that late readings grew beyond twice this is split into runs of this size. */
export const RUN_ENTRIES_MAX = 1_024;
/** Series (or runs) whose index entries are written between yields to the event loop: a batch may touch thousands. */
const SERIES_PER_TURN = 64;

/** A closed run and the readings that fall in it ([ts, seq, index], ascending). */
interface Run {
  readonly key: Uint8Array;
  readonly entries: RunEntries;
  readonly pending: number[];
}

/** One series' share of a batch, sorted out: the tail, runs it lists, readings below them. */
interface SeriesWork {
  readonly prefix: Uint8Array;
  readonly tail: SeriesTail;
  /** By position in the tail's directory (listedRunFor). */
  readonly listed: Map<number, { readonly key: Uint8Array; readonly pending: number[] }>;
  /** Readings below the runs the tail lists: [ts, seq, index] triples, ascending. */
  readonly unlisted: number[];
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
  const series = new SeriesPrefixes(readings);
  const prefixes = groups.map((group) => series.of(group[0] ?? 0));
  const tails = await txn.getDedupeEntries(table, prefixes.map(tailKey));
  const work = groups.map((group, g) => {
    const prefix = prefixes[g] ?? new Uint8Array(0);
    return sortSeries(prefix, decodeTail(tailKey(prefix), tails[g]), readings, group, fresh);
  });
  const listed = work.flatMap((w) => [...w.listed.values()].map((run) => ({ work: w, ...run })));
  const values = await txn.getDedupeEntries(table, listed.map((run) => run.key));
  for (let r = 0; r < listed.length; r++) {
    const run = listed[r] as (typeof listed)[number];
    const value = values[r];
    assert(value !== undefined, `the dedupe run a tail lists is missing (${run.key.length} bytes of key)`);
    if (r > 0 && r % SERIES_PER_TURN === 0) await yieldToEventLoop();
    writeRun(txn, table, { key: run.key, entries: decodeEntries(value), pending: run.pending }, run.work.tail, fresh);
  }
  for (let s = 0; s < work.length; s++) {
    const w = work[s] as SeriesWork;
    if (s > 0 && s % SERIES_PER_TURN === 0) await yieldToEventLoop();
    if (w.unlisted.length > 0) await recordUnlisted(txn, table, w, fresh);
    writeTail(txn, table, w.prefix, w.tail, fresh);
  }
  return fresh;
}

/**
 * Reading indexes per series, each sorted by (ts, seq) and then batch order, as slices of one
 * array (a batch of 20,000 readings is a few typed arrays, not an array per series). A series
 * is its names' UTF-8 bytes, as its keys are: two names that encode alike (a lone surrogate
 * and U+FFFD) are one series, or their groups would overwrite each other's tail.
 */
function seriesGroups(readings: ReadingColumns, skip: Uint8Array | null): Uint32Array[] {
  const devices = sameBytesAs(readings.devices);
  const metrics = sameBytesAs(readings.metrics);
  const groupOf = new Int32Array(readings.length).fill(-1);
  const groupBySeries = new Map<number, number>();
  const counts: number[] = [];
  for (let i = 0; i < readings.length; i++) {
    if (skip !== null && skip[i] === 1) continue;
    const series = (devices[readings.device[i] ?? 0] ?? 0) * metrics.length + (metrics[readings.metric[i] ?? 0] ?? 0);
    let group = groupBySeries.get(series);
    if (group === undefined) {
      group = counts.length;
      groupBySeries.set(series, group);
      counts.push(0);
    }
    groupOf[i] = group;
    counts[group] = (counts[group] ?? 0) + 1;
  }
  const next = new Uint32Array(counts.length);
  for (let g = 1; g < counts.length; g++) next[g] = (next[g - 1] ?? 0) + (counts[g - 1] ?? 0);
  const starts = next.slice();
  const order = new Uint32Array(readings.length);
  for (let i = 0; i < readings.length; i++) {
    const group = groupOf[i] ?? -1;
    if (group < 0) continue;
    const at = next[group] ?? 0;
    order[at] = i;
    next[group] = at + 1;
  }
  return counts.map((count, g) => sortedByTime(order.subarray(starts[g] ?? 0, (starts[g] ?? 0) + count), readings));
}

/** Sorts one series' reading indexes by (ts, seq, index) in place; devices send in order, so most already are. */
function sortedByTime(group: Uint32Array, readings: ReadingColumns): Uint32Array {
  const { ts, seq } = readings;
  const before = (a: number, b: number): number => ((ts[a] ?? 0) - (ts[b] ?? 0)) || ((seq[a] ?? 0) - (seq[b] ?? 0)) || (a - b);
  for (let k = 1; k < group.length; k++) {
    if (before(group[k - 1] ?? 0, group[k] ?? 0) > 0) return group.sort(before);
  }
  return group;
}

/** For each name, the first index of a name with the same UTF-8 bytes. */
function sameBytesAs(names: readonly string[]): number[] {
  const first = new Map<string, number>();
  return names.map((name, i) => {
    const bytes = Buffer.from(name, 'utf8').toString('latin1');
    const seen = first.get(bytes);
    if (seen !== undefined) return seen;
    first.set(bytes, i);
    return i;
  });
}

/** Sorts one series' readings into the tail's appends, the tail's late ones, listed runs and the rest. */
function sortSeries(prefix: Uint8Array, tail: SeriesTail, readings: ReadingColumns, group: Uint32Array,
  fresh: Uint8Array): SeriesWork {
  const work: SeriesWork = { prefix, tail, listed: new Map(), unlisted: [] };
  const { ts, seq } = readings;
  const n = tail.entries.length;
  let newestTs = n > 0 ? tail.entries[n - 2] ?? 0 : -Infinity;
  let newestSeq = n > 0 ? tail.entries[n - 1] ?? 0 : -Infinity;
  const [closedTs, closedSeq] = closedLast(tail);
  let prevTs = NaN;
  let prevSeq = NaN;
  // The group ascends, so its listed readings fill runs in order: the run of the reading
  // before is looked up again only once a reading passes its last entry.
  let run: { readonly key: Uint8Array; readonly pending: number[] } | null = null;
  const appended = new Float64Array(2 * group.length);
  let appendedCount = 0;
  let runLastTs = -Infinity;
  let runLastSeq = -Infinity;
  for (const i of group) {
    const t = ts[i] ?? 0;
    const s = seq[i] ?? 0;
    if (t === prevTs && s === prevSeq) continue;
    prevTs = t;
    prevSeq = s;
    if (compare(t, s, newestTs, newestSeq) > 0) {
      appended[appendedCount++] = t;
      appended[appendedCount++] = s;
      fresh[i] = 1;
      newestTs = t;
      newestSeq = s;
    } else if (compare(t, s, closedTs, closedSeq) > 0) {
      tail.late.push(t, s, i);
    } else {
      if (run === null || compare(t, s, runLastTs, runLastSeq) > 0) {
        const position = listedRunFor(tail, t, s);
        if (position < 0) {
          work.unlisted.push(t, s, i);
          continue;
        }
        runLastTs = tail.directory[2 * position] ?? 0;
        runLastSeq = tail.directory[2 * position + 1] ?? 0;
        run = work.listed.get(position) ?? { key: runKey(prefix, runLastTs, runLastSeq), pending: [] };
        work.listed.set(position, run);
      }
      run.pending.push(t, s, i);
    }
  }
  tail.appended = appended.subarray(0, appendedCount);
  return work;
}

/** Readings below every run the tail lists: each run found with a forward seek. */
async function recordUnlisted(txn: WriteTransaction, table: string, work: SeriesWork, fresh: Uint8Array): Promise<void> {
  let run: Run | null = null;
  const pending = work.unlisted;
  for (let p = 0; p < pending.length; p += 3) {
    const t = pending[p] ?? 0;
    const s = pending[p + 1] ?? 0;
    if (run === null || compare(t, s, run.entries[run.entries.length - 2] ?? 0, run.entries[run.entries.length - 1] ?? 0) > 0) {
      if (run !== null) writeRun(txn, table, run, work.tail, fresh);
      run = await runCovering(txn, table, work.prefix, t, s);
    }
    run.pending.push(t, s, pending[p + 2] ?? 0);
  }
  if (run !== null) writeRun(txn, table, run, work.tail, fresh);
}

/** The closed run with the smallest last entry >= (ts, seq): there is one, since (ts, seq) lies below the greatest closed entry. */
async function runCovering(txn: WriteTransaction, table: string, prefix: Uint8Array, ts: number, seq: number): Promise<Run> {
  const found = await txn.edgeDedupeEntry(table, runKey(prefix, ts, seq), tailKey(prefix), false);
  assert(found !== undefined, `no dedupe run of ${new TextDecoder().decode(prefix.subarray(4))} holds ${ts}/${seq}, below its greatest closed entry`);
  return { key: found.key.slice(), entries: decodeEntries(found.value), pending: [] };
}

/**
 * Writes a run back with its new readings, split into runs of RUN_ENTRIES_MAX when it grew
 * past twice that (the tail lists the new ones). Its last entry never changes (readings join
 * the run at or above them), nor its key.
 */
function writeRun(txn: WriteTransaction, table: string, run: Run, tail: SeriesTail, fresh: Uint8Array): void {
  const entries = mergeEntries(run.entries, run.pending, fresh);
  if (entries === null) return;
  const chunk = entries.length > 4 * RUN_ENTRIES_MAX ? 2 * RUN_ENTRIES_MAX : entries.length;
  for (let end = entries.length; end > 0; end -= chunk) {
    const part = entries.subarray(Math.max(0, end - chunk), end);
    if (end === entries.length) {
      txn.putDedupeEntry(table, run.key, encodeEntries(part));
      continue;
    }
    const lastTs = part[part.length - 2] ?? 0;
    const lastSeq = part[part.length - 1] ?? 0;
    txn.putDedupeEntry(table, runKey(runPrefix(run.key), lastTs, lastSeq), encodeEntries(part));
    listRun(tail, lastTs, lastSeq);
  }
}

/** Writes the tail with its new readings, closing its older entries into runs once it grew past TAIL_ENTRIES_MAX. */
function writeTail(txn: WriteTransaction, table: string, prefix: Uint8Array, tail: SeriesTail, fresh: Uint8Array): void {
  const merged = tail.late.length > 0 ? mergeEntries(tail.entries, tail.late, fresh) : null;
  if (merged === null && tail.appended.length === 0 && !tail.directoryChanged) return;
  const kept = merged ?? tail.entries;
  let entries = new Float64Array(kept.length + tail.appended.length);
  entries.set(kept);
  entries.set(tail.appended, kept.length);
  if (entries.length > 2 * TAIL_ENTRIES_MAX) {
    const closed = entries.subarray(0, entries.length - 2 * TAIL_ENTRIES_KEPT);
    for (let at = 0; at < closed.length; at += 2 * RUN_ENTRIES_MAX) {
      const run = closed.subarray(at, at + 2 * RUN_ENTRIES_MAX);
      const lastTs = run[run.length - 2] ?? 0;
      const lastSeq = run[run.length - 1] ?? 0;
      txn.putDedupeEntry(table, runKey(prefix, lastTs, lastSeq), encodeEntries(run));
      listRun(tail, lastTs, lastSeq);
    }
    entries = entries.subarray(closed.length);
  }
  txn.putDedupeEntry(table, tail.key, encodeTail(tail, entries));
}
