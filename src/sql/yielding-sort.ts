import type { StatementGuard } from './statement-guard.js';

/** Most rows per run sorted in one call: a few milliseconds of cheap comparisons. */
const RUN_ROWS_MAX = 2_048;
/**
 * Rows of the first run. Comparisons may be costly (keys of 100,000 characters that share a
 * long prefix: one run of 2,048 such rows held the event loop 1.5 s), so the first run is small
 * and its time sets the size of the next.
 */
const FIRST_RUN_ROWS = 8;
/** What one run should take; a run that took more shrinks the next, one that took less grows it. */
const RUN_MS_TARGET = 2;

/**
 * A stable sort that keeps the event loop turning: `Array.prototype.sort` over a million rows
 * holds it for 1-2 s here, longer than an election timeout, so a leader running one ORDER BY
 * would lose its followers. Runs sized by how long the previous one took are sorted in one call
 * each, then merged pairwise, with `guard` counting the work and pausing between slices (and
 * ending a cancelled or timed-out statement there).
 */
export async function sortYielding<T>(
  rows: readonly T[], compare: (a: T, b: T) => number, guard: StatementGuard,
): Promise<T[]> {
  if (rows.length <= FIRST_RUN_ROWS) return [...rows].sort(compare);
  let runs: T[][] = [];
  let runRows = FIRST_RUN_ROWS;
  for (let start = 0; start < rows.length; ) {
    const startedMs = performance.now();
    const run = rows.slice(start, start + runRows).sort(compare);
    runs.push(run);
    start += run.length;
    const tookMs = performance.now() - startedMs;
    // A run costs about log2(its rows) comparisons a row.
    if (guard.step(run.length * Math.log2(run.length))) await guard.pause();
    runRows = nextRunRows(runRows, tookMs);
  }
  while (runs.length > 1) {
    const merged: T[][] = [];
    for (let i = 0; i < runs.length; i += 2) {
      const right = runs[i + 1];
      merged.push(right === undefined ? runs[i] as T[] : await merge(runs[i] as T[], right, compare, guard));
    }
    runs = merged;
  }
  return runs[0] ?? [];
}

/** The size of the next run after one of `runRows` rows took `tookMs`: at most double, at least 2. */
function nextRunRows(runRows: number, tookMs: number): number {
  const scaled = tookMs <= 0 ? runRows * 2 : Math.floor(runRows * RUN_MS_TARGET / tookMs);
  return Math.max(2, Math.min(RUN_ROWS_MAX, runRows * 2, scaled));
}

/** `left` and `right` (each sorted) as one sorted array; ties keep `left` first (stable). */
async function merge<T>(left: T[], right: T[], compare: (a: T, b: T) => number, guard: StatementGuard): Promise<T[]> {
  const out: T[] = new Array<T>(left.length + right.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < left.length && j < right.length) {
    const a = left[i] as T;
    const b = right[j] as T;
    if (compare(b, a) < 0) {
      out[k++] = b;
      j += 1;
    } else {
      out[k++] = a;
      i += 1;
    }
    if (guard.step()) await guard.pause();
  }
  while (i < left.length) out[k++] = left[i++] as T;
  while (j < right.length) out[k++] = right[j++] as T;
  return out;
}
