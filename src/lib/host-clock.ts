/**
 * performance.now()'s origin on the host's monotonic clock (ms since boot). Every process on a
 * host reads the same monotonic clock, and nothing steps it; the wall clock (Date.now(), and
 * performance.timeOrigin, fixed from it at startup) is stepped by time sync on these VMs by
 * milliseconds at a time, so processes started at different moments disagreed by up to ~12 ms.
 */
const monotonicOriginMs = Number(process.hrtime.bigint()) / 1e6 - performance.now();

/** Milliseconds of the host's monotonic clock, with fractions: comparable across processes on one host. */
export function hostClockMs(): number {
  return monotonicOriginMs + performance.now();
}

/** A performance.now() reading as hostClockMs would have read it. */
export function hostClockOf(performanceMs: number): number {
  return monotonicOriginMs + performanceMs;
}
