import type { Scheduler, Timer } from '../lib/index.js';
import type { Entry } from '../raft/index.js';

/** Most entries a follower holds back before applying them. */
export const HELD_ENTRIES_MAX = 64;

/** Longest a follower holds a committed entry back (its applied state lags by at most this). */
export const HELD_MS_MAX = 20;

/**
 * A follower's committed entries, held back briefly so that several apply as one storage
 * transaction: one snapshot, one LevelDB batch and one thread-pool hop for all of them instead
 * of one each, which at one client is most of a follower's apply cost. Nobody waits on a
 * follower's apply except its own linearizable reads, so the driver flushes whenever a read
 * waits, the role changes, a snapshot comes or is due, and before work that runs between
 * applies; otherwise after HELD_ENTRIES_MAX entries or HELD_MS_MAX milliseconds.
 */
export class HeldApplies {
  readonly #scheduler: Scheduler;
  readonly #apply: (entries: readonly Entry[]) => void;
  #entries: Entry[] = [];
  #timer: Timer | null = null;

  constructor(scheduler: Scheduler, apply: (entries: readonly Entry[]) => void) {
    this.#scheduler = scheduler;
    this.#apply = apply;
  }

  /** How many entries wait. */
  get size(): number {
    return this.#entries.length;
  }

  /** Holds `entries` when `hold` allows it; otherwise applies them, after whatever is held. */
  add(entries: readonly Entry[], hold: boolean): void {
    if (entries.length === 0) return;
    if (!hold) {
      this.flush();
      this.#apply(entries);
      return;
    }
    for (const entry of entries) this.#entries.push(entry);
    if (this.#entries.length >= HELD_ENTRIES_MAX) {
      this.flush();
      return;
    }
    this.#timer ??= this.#scheduler.after(HELD_MS_MAX, () => {
      this.#timer = null;
      this.flush();
    });
  }

  /** Applies everything held, now. */
  flush(): void {
    this.#timer?.cancel();
    this.#timer = null;
    if (this.#entries.length === 0) return;
    const entries = this.#entries;
    this.#entries = [];
    this.#apply(entries);
  }

  /** Forgets what is held (the node stopped for good; the WAL still has it). */
  drop(): void {
    this.#timer?.cancel();
    this.#timer = null;
    this.#entries = [];
  }
}
