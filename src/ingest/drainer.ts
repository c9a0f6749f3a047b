import { errorMessage } from '../lib/index.js';
import type { Clock, Logger } from '../lib/index.js';
import type { IngestJournal, JournalRecord } from './journal.js';

/**
 * What every drained batch says about where it came from: records `firstSeq`..`lastSeq` of the
 * journal named `source`, and `nowMs`, the insert time every replica records.
 */
export interface JournalBatch {
  readonly source: string;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly nowMs: number;
}

/** Where drained batches go: the replicated write path, and the cursor it keeps. */
export interface DrainTarget<B, A> {
  /** Applies one batch through the log (on the leader, passed on from a follower). */
  apply(batch: B): Promise<A>;
  /** The last journal record of this source whose contents are stored. */
  cursor(): Promise<number>;
}

/** Told about every batch the drainer got applied. */
export interface DrainObserver<B, A> {
  drained(batch: B, applied: A, seconds: number): void;
}

/** What a drainer needs to know about its journal's records and batches. */
export interface DrainPlan<T, B extends JournalBatch, A> {
  /** One log entry's batch from consecutive records of this source, stamped with the leader-bound time. */
  batch(records: readonly JournalRecord<T>[], source: string, nowMs: number): B;
  /** Why an applied batch stored nothing (the table can't take it), or null. */
  problem(applied: A): string | null;
}

/** Readings (or points) per log entry: big enough to amortize a commit, small enough to keep apply short. */
export const DRAIN_BATCH_READINGS = 5_000;
const RETRY_MS_MIN = 50;
const RETRY_MS_MAX = 2_000;
const IDLE_WAIT_MS = 1_000;

/**
 * Moves journaled readings (or points) into replicated tables, oldest first, one batch per
 * log entry. A batch is forgotten from the journal only once applied; after a failure (no
 * leader, leader changed) it is sent again, and the cursor and the batch's own keys make the
 * resend harmless, so nothing is skipped or stored twice.
 */
export class IngestDrainer<T, B extends JournalBatch, A> {
  readonly #journal: IngestJournal<T>;
  readonly #plan: DrainPlan<T, B, A>;
  readonly #target: DrainTarget<B, A>;
  readonly #observer: DrainObserver<B, A>;
  readonly #source: string;
  readonly #clock: Clock;
  readonly #log: Logger;
  #running = false;
  #loop: Promise<void> = Promise.resolve();
  #wake: (() => void) | null = null;

  constructor(journal: IngestJournal<T>, plan: DrainPlan<T, B, A>, target: DrainTarget<B, A>,
    observer: DrainObserver<B, A>, options: { readonly source: string; readonly clock: Clock; readonly log: Logger }) {
    this.#journal = journal;
    this.#plan = plan;
    this.#target = target;
    this.#observer = observer;
    this.#source = options.source;
    this.#clock = options.clock;
    this.#log = options.log;
    journal.onAppend(() => this.#wake?.());
  }

  /** Starts draining in the background. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /**
   * Stops, waiting up to `graceMs` for the batch in flight; what is left stays journaled for
   * the next start (a batch whose answer never came is sent again and skipped if stored).
   */
  async stop(graceMs = 2_000): Promise<void> {
    this.#running = false;
    this.#wake?.();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([this.#loop, grace]);
    clearTimeout(timer);
  }

  async #run(): Promise<void> {
    let retryMs = RETRY_MS_MIN;
    let cursorKnown = false;
    while (this.#running) {
      try {
        if (!cursorKnown) {
          await this.#journal.discardThrough(await this.#target.cursor());
          cursorKnown = true;
        }
        const drained = await this.#drainOnce();
        retryMs = RETRY_MS_MIN;
        if (!drained) await this.#sleep(IDLE_WAIT_MS);
      } catch (error) {
        this.#log.warn('ingest drain failed; retrying', { error: errorMessage(error), retryMs });
        await this.#sleep(retryMs);
        retryMs = Math.min(retryMs * 2, RETRY_MS_MAX);
      }
    }
  }

  /** Applies the oldest pending batch; false when there was none. */
  async #drainOnce(): Promise<boolean> {
    const records = this.#journal.pending(DRAIN_BATCH_READINGS);
    if (records.length === 0) return false;
    const batch = this.#plan.batch(records, this.#source, this.#clock.nowMs());
    const started = process.hrtime.bigint();
    const applied = await this.#target.apply(batch);
    await this.#journal.discardThrough(batch.lastSeq);
    this.#observer.drained(batch, applied, Number(process.hrtime.bigint() - started) / 1e9);
    const problem = this.#plan.problem(applied);
    if (problem !== null) {
      this.#log.error('ingested data could not be stored', { problem,
        records: records.length, firstSeq: records[0]?.seq, lastSeq: batch.lastSeq });
    }
    return true;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }
}
