import { assert, ChronosError, systemScheduler } from '../lib/index.js';
import type { Scheduler, Timer } from '../lib/index.js';
import { notApplied, outcomeUnknown } from './write-outcome.js';

/** What the apply loop reports for one applied entry. */
export type ApplyOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: Error };

interface Waiter<T> {
  readonly term: number;
  readonly resolve: (value: T) => void;
  readonly reject: (error: Error) => void;
  readonly timer: Timer;
}

/**
 * Proposals this node made, waiting for their entry to be applied. A proposal is answered only
 * after its own entry (same index AND term) is applied: an entry replaced by a new leader's log
 * is reported as not applied, never as a success.
 */
export class ProposalTracker<T> {
  readonly #waiters = new Map<number, Waiter<T>>();
  readonly #scheduler: Scheduler;
  readonly #committed: (index: number, term: number) => boolean;

  /** `committed(index, term)`: whether the entry this node proposed at `index` in `term` is known committed. */
  constructor(scheduler: Scheduler = systemScheduler, committed: (index: number, term: number) => boolean = () => false) {
    this.#scheduler = scheduler;
    this.#committed = committed;
  }

  /** Number of proposals still waiting. */
  get size(): number {
    return this.#waiters.size;
  }

  /** Waits for the entry at `index` proposed in `term`; rejects after `timeoutMs`. */
  wait(index: number, term: number, timeoutMs: number): Promise<T> {
    assert(!this.#waiters.has(index), `two proposals waiting on log index ${index}`);
    return new Promise<T>((resolve, reject) => {
      const timer = this.#scheduler.after(timeoutMs, () => {
        this.#waiters.delete(index);
        reject(outcomeUnknown(this.#committed(index, term)
          // A long statement: it takes effect unless it fails as it is applied.
          ? `write committed (log index ${index}) but still being applied after ${timeoutMs} ms; ` +
            'it takes effect unless the statement fails'
          // The entry is in this node's log and may still commit under any leader.
          : `write not acknowledged within ${timeoutMs} ms (no quorum?); it may still be applied later`));
      });
      this.#waiters.set(index, { term, resolve, reject, timer });
    });
  }

  /** Called by the apply loop for every applied entry, in log order. */
  applied(index: number, term: number, outcome: ApplyOutcome<T> | null): void {
    const waiter = this.#waiters.get(index);
    if (waiter === undefined) return;
    this.#waiters.delete(index);
    waiter.timer.cancel();
    if (waiter.term !== term) {
      // Another entry took this index: ours can no longer commit anywhere.
      waiter.reject(notApplied(`leadership changed before the write committed (log index ${index} holds another entry)`));
    } else if (outcome === null) {
      waiter.reject(new ChronosError('UNAVAILABLE', `log entry ${index} carried no command`));
    } else if (outcome.ok) {
      waiter.resolve(outcome.value);
    } else {
      waiter.reject(outcome.error);
    }
  }

  /** Fails every waiter (shutdown, or this node stopped being leader and its log was cut). */
  failAll(error: Error): void {
    for (const [index, waiter] of this.#waiters) {
      waiter.timer.cancel();
      this.#waiters.delete(index);
      waiter.reject(error);
    }
  }
}
