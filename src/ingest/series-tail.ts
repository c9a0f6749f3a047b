import { assert } from '../lib/index.js';
import { decodePairs, encodePairs } from './pair-codec.js';
import { compare } from './reading-runs.js';
import type { RunEntries } from './reading-runs.js';

/**
 * A series' open run and what it knows of the closed ones: the last entries of its newest
 * closed runs (the directory, ascending). Every closed run whose last entry is at or above the
 * directory's first is listed, so a reading at or above that entry finds its run's key
 * without a seek. Stored as two pair lists (pair-codec.ts): the directory, then the entries.
 */
export interface SeriesTail {
  readonly key: Uint8Array;
  readonly entries: RunEntries;
  /** New readings after the tail's newest, [ts, seq, ...] ascending (set once the batch is sorted out). */
  appended: Float64Array;
  /** Readings below the tail's newest but above every closed run: [ts, seq, index] triples. */
  readonly late: number[];
  directory: Float64Array;
  directoryChanged: boolean;
  /** The directory as stored, written back as is while it has not changed. */
  readonly storedDirectory: Uint8Array | null;
}

/** No pairs (shared: a zero-length array can't be written to). */
const NONE = new Float64Array(0);

/** Closed runs a tail lists. */
export const DIRECTORY_RUNS_MAX = 64;

/** The tail stored under `key` (absent: a series with nothing stored). */
export function decodeTail(key: Uint8Array, value: Uint8Array | undefined): SeriesTail {
  if (value === undefined) {
    return { key, entries: new Float64Array(0), appended: NONE, late: [], directory: new Float64Array(0), directoryChanged: false, storedDirectory: null };
  }
  const directory = decodePairs(value, 0);
  const entries = decodePairs(value, directory.end);
  assert(entries.end === value.length, `a series tail of ${value.length} bytes has ${value.length - entries.end} left over`);
  return {
    key, entries: entries.pairs, appended: NONE, late: [], directory: directory.pairs, directoryChanged: false,
    storedDirectory: value.subarray(0, directory.end),
  };
}

/** The stored value of a tail whose entries are now `entries`. */
export function encodeTail(tail: SeriesTail, entries: RunEntries): Uint8Array {
  const directory = !tail.directoryChanged && tail.storedDirectory !== null ? tail.storedDirectory : encodePairs(tail.directory);
  const tailEntries = encodePairs(entries);
  const out = new Uint8Array(directory.length + tailEntries.length);
  out.set(directory);
  out.set(tailEntries, directory.length);
  return out;
}

/** The greatest entry of the series' closed runs, as [ts, seq] (-Infinity while none). */
export function closedLast(tail: SeriesTail): [number, number] {
  const n = tail.directory.length;
  return n === 0 ? [-Infinity, -Infinity] : [tail.directory[n - 2] ?? 0, tail.directory[n - 1] ?? 0];
}

/**
 * Which listed run holds (ts, seq) or the gap below it: its position in the directory (its
 * last entry is directory[2p], directory[2p + 1]); -1 when (ts, seq) lies below the directory
 * (a seek finds the run).
 */
export function listedRunFor(tail: SeriesTail, ts: number, seq: number): number {
  const dir = tail.directory;
  if (dir.length === 0 || compare(ts, seq, dir[0] ?? 0, dir[1] ?? 0) < 0) return -1;
  let lo = 0;
  let hi = dir.length / 2 - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(dir[2 * mid] ?? 0, dir[2 * mid + 1] ?? 0, ts, seq) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Records a closed run ending at (ts, seq) (closed from the tail, or split off a run). */
export function listRun(tail: SeriesTail, ts: number, seq: number): void {
  const dir = tail.directory;
  // A run below the directory's first needs no listing: readings there are found by a seek.
  if (dir.length > 0 && compare(ts, seq, dir[0] ?? 0, dir[1] ?? 0) < 0) return;
  let at = dir.length;
  while (at > 0 && compare(dir[at - 2] ?? 0, dir[at - 1] ?? 0, ts, seq) > 0) at -= 2;
  const grown = new Float64Array(dir.length + 2);
  grown.set(dir.subarray(0, at));
  grown[at] = ts;
  grown[at + 1] = seq;
  grown.set(dir.subarray(at), at + 2);
  tail.directory = grown.length > 2 * DIRECTORY_RUNS_MAX ? grown.subarray(grown.length - 2 * DIRECTORY_RUNS_MAX) : grown;
  tail.directoryChanged = true;
}
