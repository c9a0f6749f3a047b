import { errorMessage } from '../lib/index.js';
import type { Clock, Logger } from '../lib/index.js';
import type { IngestApplied } from './apply.js';
import type { IngestBatch } from './batch.js';
import type { IngestJournal } from './journal.js';

/** Where drained batches go: the replicated write path, and the cursor it keeps. */
export interface DrainTarget {
  /** Applies one batch through the log (on the leader, passed on from a follower). */
  apply(batch: IngestBatch): Promise<IngestApplied>;
  /** The last journal record of this source whose readings are stored. */
  cursor(): Promise<number>;
}

/** Told about every batch the drainer got applied. */
export interface DrainObserver {
  drained(batch: IngestBatch, applied: IngestApplied, seconds: number): void;
}

/** Readings per log entry: big enough to amortize a commit, small enough to keep apply short. */
export const DRAIN_BATCH_READINGS = 5_000;
const RETRY_MS_MIN = 50;
const RETRY_MS_MAX = 2_000;
const IDLE_WAIT_MS = 1_000;

/**
 * Moves journaled readings into the replicated `readings` table, oldest first, one batch per
 * log entry. A batch is forgotten from the journal only once applied; after a failure (no
 * leader, leader changed) it is sent again, and the cursor and reading marks make the resend
 * harmless, so nothing is skipped or stored twice.
 */
export class IngestDrainer {
  readonly #journal: IngestJournal;
  readonly #target: DrainTarget;
  readonly #observer: DrainObserver;
  readonly #source: string;
  readonly #clock: Clock;
  readonly #log: Logger;
  #running = false;
  #loop: Promise<void> = Promise.resolve();
  #wake: (() => void) | null = null;

  constructor(journal: IngestJournal, target: DrainTarget, observer: DrainObserver,
    options: { readonly source: string; readonly clock: Clock; readonly log: Logger }) {
    this.#journal = journal;
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
    const first = records[0];
    const last = records.at(-1);
    if (first === undefined || last === undefined) return false;
    const batch: IngestBatch = {
      source: this.#source, firstSeq: first.seq, lastSeq: last.seq, nowMs: this.#clock.nowMs(),
      readings: records.flatMap((record) => record.readings),
    };
    const started = process.hrtime.bigint();
    const applied = await this.#target.apply(batch);
    await this.#journal.discardThrough(batch.lastSeq);
    this.#observer.drained(batch, applied, Number(process.hrtime.bigint() - started) / 1e9);
    if (applied.problem !== null) {
      this.#log.error('ingested readings could not be stored', { problem: applied.problem,
        readings: batch.readings.length });
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
