import type { StatementGuard } from './statement-guard.js';

/** Rows per run sorted in one call: a few milliseconds of comparisons at most. */
const RUN_ROWS = 2_048;

/**
 * A stable sort that keeps the event loop turning: `Array.prototype.sort` over a million rows
 * holds it for 1-2 s here, longer than an election timeout, so a leader running one ORDER BY
 * would lose its followers. Runs of RUN_ROWS are sorted in one call each, then merged pairwise,
 * with `guard` counting the work and pausing between slices (and ending a cancelled or
 * timed-out statement there).
 */
export async function sortYielding<T>(
  rows: readonly T[], compare: (a: T, b: T) => number, guard: StatementGuard,
): Promise<T[]> {
  if (rows.length <= RUN_ROWS) return [...rows].sort(compare);
  let runs: T[][] = [];
  for (let start = 0; start < rows.length; start += RUN_ROWS) {
    runs.push(rows.slice(start, start + RUN_ROWS).sort(compare));
    // A run costs about log2(RUN_ROWS) comparisons a row.
    if (guard.step(RUN_ROWS * 11)) await guard.pause();
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
