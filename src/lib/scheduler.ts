/** A timer that can be cancelled. */
export interface Timer {
  cancel(): void;
}

/**
 * The timer port: real timers in production, a simulated clock's queue in the simulation, so
 * the driver's timeouts, ticks and deferrals all run on whichever time the test chose.
 */
export interface Scheduler {
  /** Runs `work` once after `ms`; never keeps the process alive by itself. */
  after(ms: number, work: () => void): Timer;
  /** Runs `work` every `ms` until cancelled; `keepAlive` holds the process open meanwhile. */
  every(ms: number, work: () => void, keepAlive: boolean): Timer;
  /** Runs `work` after what is already queued (I/O, timers due now). */
  defer(work: () => void): void;
  /** Resolves after `ms`. */
  sleep(ms: number): Promise<void>;
  /** Milliseconds on the timers' own clock, which nothing steps (unlike the wall clock). */
  monotonicMs(): number;
}

/** Node's own timers. */
export const systemScheduler: Scheduler = {
  after(ms, work) {
    const timer = setTimeout(work, ms);
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
  every(ms, work, keepAlive) {
    const timer = setInterval(work, ms);
    if (!keepAlive) timer.unref();
    return { cancel: () => clearInterval(timer) };
  },
  defer(work) {
    setImmediate(work);
  },
  sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  },
  monotonicMs() {
    return performance.now();
  },
};
