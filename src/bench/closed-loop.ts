import { assert } from '../lib/index.js';
import { percentile } from './stats.js';

/** Every operation that finished during a closed-loop run: when, and how long it took. */
export interface Completions {
  /** Start of the run on the `performance.now()` clock. */
  readonly startMs: number;
  readonly endMs: number[];
  readonly latencyMs: number[];
  readonly errors: number;
  readonly lastError: string | null;
  /** The sequence number the next run should start at to keep keys distinct. */
  readonly nextSequence: number;
}

/** Throughput and latency of one measurement window. */
export interface WindowStats {
  readonly opsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly ops: number;
}

/** Errors tolerated in one run before it is abandoned: a broken server should fail fast. */
const ERRORS_MAX = 100;

/**
 * Runs `op` in `concurrency` closed loops (each waits for its answer before the next call)
 * for `durationMs`, recording every completion. `op` gets a run-wide sequence number so each
 * call can write a distinct key.
 */
export async function closedLoop(options: {
  readonly concurrency: number;
  readonly durationMs: number;
  readonly op: (sequence: number) => Promise<void>;
  readonly firstSequence?: number;
}): Promise<Completions> {
  assert(options.concurrency >= 1, 'closed loop needs at least one client');
  const startMs = performance.now();
  const deadline = startMs + options.durationMs;
  const endMs: number[] = [];
  const latencyMs: number[] = [];
  let sequence = options.firstSequence ?? 0;
  let errors = 0;
  let lastError: string | null = null;
  const worker = async (): Promise<void> => {
    // Bounded by the deadline: each turn awaits one operation, which carries its own deadline.
    while (performance.now() < deadline) {
      const began = performance.now();
      try {
        await options.op(sequence++);
        const done = performance.now();
        endMs.push(done);
        latencyMs.push(done - began);
      } catch (error) {
        errors++;
        lastError = error instanceof Error ? error.message : String(error);
        if (errors > ERRORS_MAX) throw new Error(`closed loop: ${errors} errors, last: ${lastError}`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, () => worker()));
  return { startMs, endMs, latencyMs, errors, lastError, nextSequence: sequence };
}

/**
 * Splits a run into `count` consecutive windows of `windowMs` starting `warmMs` after the run
 * began (completions in the warm-up are dropped) and gives each window's throughput and
 * latency percentiles, so one long run yields several repeated measurements.
 */
export function windowStats(
  run: Pick<Completions, 'startMs' | 'endMs' | 'latencyMs'>,
  warmMs: number,
  windowMs: number,
  count: number,
): WindowStats[] {
  assert(windowMs > 0 && count >= 1, 'windows need a positive width and count');
  assert(run.endMs.length === run.latencyMs.length, 'one latency per completion');
  const buckets: number[][] = Array.from({ length: count }, () => []);
  const from = run.startMs + warmMs;
  run.endMs.forEach((end, i) => {
    const slot = Math.floor((end - from) / windowMs);
    if (slot >= 0 && slot < count) buckets[slot]?.push(run.latencyMs[i] ?? 0);
  });
  return buckets.map((latencies) => ({
    opsPerSecond: (latencies.length * 1000) / windowMs,
    p50Ms: latencies.length === 0 ? Number.NaN : percentile(latencies, 50),
    p99Ms: latencies.length === 0 ? Number.NaN : percentile(latencies, 99),
    ops: latencies.length,
  }));
}
