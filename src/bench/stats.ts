import { assert } from '../lib/index.js';

/** Median, min and max of repeated measurements, with the raw samples kept for the JSON. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly samples: readonly number[];
}

/** Summarizes repeated measurements; an even count takes the mean of the two middle ones. */
export function summarize(samples: readonly number[]): Summary {
  assert(samples.length > 0, 'summarize needs at least one sample');
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? 0;
  const median = sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? 0) + upper) / 2;
  return { median, min: sorted[0] ?? 0, max: sorted[sorted.length - 1] ?? 0, samples: [...samples] };
}

/**
 * Nearest-rank percentile (p in 0..100) of unsorted values: the smallest value with at least
 * p% of the values at or below it, so p99 of 100 latencies is the 99th, never an interpolation.
 */
export function percentile(values: readonly number[], p: number): number {
  assert(values.length > 0, 'percentile needs at least one value');
  assert(p >= 0 && p <= 100, `percentile ${p} is outside 0..100`);
  const sorted = Float64Array.from(values).sort();
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? 0;
}
