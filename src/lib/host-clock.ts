/**
 * performance.now()'s origin on the host's monotonic clock (ms since boot). Every process on a
 * host reads the same monotonic clock, and nothing steps it; the wall clock (Date.now(), and
 * performance.timeOrigin, fixed from it at startup) is stepped by time sync on these VMs by
 * milliseconds at a time, so processes started at different moments disagreed by up to ~12 ms.
 */
const monotonicOriginMs = measureOrigin();

/**
 * hrtime minus performance.now(), read as close together as this process can: a process
 * descheduled between the two reads (three nodes starting at once on two busy cores) would
 * carry that gap, milliseconds of it, in every time it reports. Each try brackets the hrtime
 * read between two performance.now() reads; the tightest bracket wins.
 */
function measureOrigin(): number {
  let best = { gapMs: Infinity, originMs: 0 };
  for (let attempt = 0; attempt < 16 && best.gapMs > 0.005; attempt++) {
    const before = performance.now();
    const hrtimeMs = Number(process.hrtime.bigint()) / 1e6;
    const after = performance.now();
    if (after - before < best.gapMs) best = { gapMs: after - before, originMs: hrtimeMs - (before + after) / 2 };
  }
  return best.originMs;
}

/** Milliseconds of the host's monotonic clock, with fractions: comparable across processes on one host. */
export function hostClockMs(): number {
  return monotonicOriginMs + performance.now();
}

/** A performance.now() reading as hostClockMs would have read it. */
export function hostClockOf(performanceMs: number): number {
  return monotonicOriginMs + performanceMs;
}
