/** Wall-clock port: real time in production, a fake clock in simulations. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number;
}

/** The process clock. */
export const systemClock: Clock = { nowMs: () => Date.now() };
