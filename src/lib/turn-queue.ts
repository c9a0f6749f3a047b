import type { Clock } from './clock.js';

/** A performance.now() clock: budgets are short and must not jump with the wall clock. */
const monotonicClock: Clock = { nowMs: () => performance.now() };

/**
 * Runs CPU-bound jobs (reading request bodies) in arrival order, a few milliseconds' worth per
 * event-loop turn. A burst of large bodies that finish arriving together would otherwise be
 * read back to back in one turn, holding Raft's heartbeats, answers and ticks for as long as
 * all of them take (seconds on a loaded gateway, enough to depose a leader).
 */
export class TurnQueue {
  readonly #budgetMs: number;
  readonly #clock: Clock;
  readonly #jobs: Array<() => void> = [];
  #scheduled = false;

  constructor(budgetMs: number, clock: Clock = monotonicClock) {
    this.#budgetMs = budgetMs;
    this.#clock = clock;
  }

  /** Runs `job` in a later turn, after the jobs queued before it; resolves with its result. */
  run<T>(job: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#jobs.push(() => {
        try {
          resolve(job());
        } catch (error) {
          reject(error);
        }
      });
      this.#schedule();
    });
  }

  /** Jobs waiting for their turn. */
  get waiting(): number {
    return this.#jobs.length;
  }

  #schedule(): void {
    if (this.#scheduled || this.#jobs.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => this.#turn());
  }

  #turn(): void {
    this.#scheduled = false;
    const startMs = this.#clock.nowMs();
    // At least one job a turn, then more while the turn's budget lasts.
    do {
      this.#jobs.shift()?.();
    } while (this.#jobs.length > 0 && this.#clock.nowMs() - startMs < this.#budgetMs);
    this.#schedule();
  }
}
