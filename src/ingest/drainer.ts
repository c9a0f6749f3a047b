import { errorMessage } from '../lib/index.js';
import type { Clock, Logger } from '../lib/index.js';
import type { JournalBatch } from './journal-batch.js';
import type { IngestJournal, JournalRecord } from './journal.js';

export type { JournalBatch } from './journal-batch.js';

/** Where drained batches go: the replicated write path, and the cursor it keeps. */
export interface DrainTarget<B, A> {
  /** Applies one batch through the log (on the leader, passed on from a follower). */
  apply(batch: B): Promise<A>;
  /**
   * Batches this node may have in the log at once: a leader proposes them in order, while a
   * follower's are passed on as separate calls that may overtake each other (then 1).
   */
  batchesInFlight(): number;
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
  batch(records: readonly JournalRecord<T>[], head: Omit<JournalBatch, 'firstSeq' | 'lastSeq'>): B;
  /** Why an applied batch stored nothing (the table can't take it), or null. */
  problem(applied: A): string | null;
  /** Items (readings, points) a log entry carries at most. */
  readonly itemsPerBatch: number;
}

/**
 * Readings per log entry: big enough to amortize a commit and the per-series work of an apply
 * (on three nodes 10,000 stored ~1.3x what 5,000 did, and with ~12-byte readings 20,000
 * 1.03-1.26x what 10,000 did), small enough to keep apply short (the event loop's p99 delay
 * under bulk ingest stayed 47-90 ms, as at 10,000).
 */
export const DRAIN_BATCH_READINGS = 20_000;
/** Line-protocol points per log entry: each is an upsert by (series, ts), dearer than a reading. */
export const DRAIN_BATCH_POINTS = 5_000;
/** Batches a leader keeps in the log at once: enough to overlap fsync, replication and apply, few enough to redo cheaply. */
export const DRAIN_BATCHES_IN_FLIGHT = 4;
/**
 * While a batch is in the log, fewer readings than this wait for it instead of making a log
 * entry of their own: small requests then leave as one entry per round trip, not one each.
 */
export const DRAIN_COALESCE_READINGS = 1_000;
/**
 * A batch below DRAIN_COALESCE_READINGS waits until this long after the one before (it leaves
 * as soon as that many readings wait): under a stream of small requests each log entry costs a
 * commit, an fsync on every node and a tail rewrite per series it touches, so fewer, fuller
 * entries store more. A steady trickle is queryable within about this long; a lone request
 * after a quiet spell leaves at once.
 */
export const DRAIN_COALESCE_MS = 500;
const RETRY_MS_MIN = 50;
const RETRY_MS_MAX = 2_000;
const IDLE_WAIT_MS = 1_000;

/** Where a drainer's batches say they come from, its clock and log, and how it coalesces. */
export interface DrainerOptions {
  readonly source: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** Default DRAIN_COALESCE_READINGS; 0 sends every record at once (tests of reordering). */
  readonly coalesceBelow?: number;
  /** Default DRAIN_COALESCE_MS. */
  readonly coalesceMs?: number;
}

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
  readonly #coalesceBelow: number;
  readonly #coalesceMs: number;
  /** When the last batch left (performance.now(): pacing is about elapsed time, not the wall clock). */
  #lastSentAt = -Infinity;
  #running = false;
  #loop: Promise<void> = Promise.resolve();
  #wake: (() => void) | null = null;
  #appendWaiters: Array<() => void> = [];

  constructor(journal: IngestJournal<T>, plan: DrainPlan<T, B, A>, target: DrainTarget<B, A>,
    observer: DrainObserver<B, A>, options: DrainerOptions) {
    this.#journal = journal;
    this.#plan = plan;
    this.#target = target;
    this.#observer = observer;
    this.#source = options.source;
    this.#clock = options.clock;
    this.#log = options.log;
    this.#coalesceBelow = options.coalesceBelow ?? DRAIN_COALESCE_READINGS;
    this.#coalesceMs = options.coalesceMs ?? DRAIN_COALESCE_MS;
    journal.onAppend(() => {
      this.#wake?.();
      for (const waiter of this.#appendWaiters.splice(0)) waiter();
    });
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
    while (this.#running) {
      try {
        // Read again after every failure: a batch may have applied although its answer was lost.
        await this.#journal.discardThrough(await this.#target.cursor());
        for (;;) {
          const drained = await this.#drainPipelined(() => {
            retryMs = RETRY_MS_MIN;
          });
          if (!this.#running) break;
          if (!drained) await this.#sleep(IDLE_WAIT_MS);
        }
      } catch (error) {
        this.#log.warn('ingest drain failed; retrying', { error: errorMessage(error), retryMs });
        await this.#sleep(retryMs);
        retryMs = Math.min(retryMs * 2, RETRY_MS_MAX);
      }
    }
  }

  /**
   * Keeps up to DRAIN_BATCHES_IN_FLIGHT consecutive batches in the log at once, so the next
   * batch's fsync and replication overlap the previous one's apply. Apply refuses a batch that
   * does not continue the cursor, so batches land in journal order or not at all; the journal
   * forgets a batch only after it and every earlier one applied. False when there was nothing.
   */
  async #drainPipelined(progressed: () => void): Promise<boolean> {
    const inflight: Array<{ readonly batch: B; readonly outcome: Promise<unknown> }> = [];
    let nextSeq = 0;
    let sent = false;
    for (;;) {
      const limit = Math.max(1, Math.min(DRAIN_BATCHES_IN_FLIGHT, this.#target.batchesInFlight()));
      let holdMs = 0;
      while (this.#running && inflight.length < limit) {
        const records = this.#journal.pending(this.#plan.itemsPerBatch, nextSeq);
        if (records.length === 0) break;
        holdMs = this.#holdMs(records, inflight.length);
        if (holdMs !== 0) break;
        const batch = this.#plan.batch(records,
          { source: this.#source, nowMs: this.#clock.nowMs(), afterPrevious: nextSeq > 0 });
        nextSeq = batch.lastSeq + 1;
        sent = true;
        this.#lastSentAt = performance.now();
        inflight.push({ batch, outcome: this.#applyOne(batch, records.length).then(() => null, (error: unknown) => error ?? 'failed') });
      }
      const head = inflight[0];
      if (head === undefined) {
        if (holdMs <= 0 || !this.#running) return sent;
        await new Promise((resolve) => setTimeout(resolve, holdMs));
        continue;
      }
      // Records journaled while the head is in flight go out behind it at once.
      const room = this.#running && inflight.length < limit;
      const settled = await Promise.race([head.outcome.then((failure) => ({ failure })), ...(room ? [this.#nextAppend()] : [])]);
      if (settled === 'appended') continue;
      inflight.shift();
      if (settled.failure !== null) {
        // Later batches fail their continuity check; let them finish before starting over.
        await Promise.all(inflight.map((later) => later.outcome));
        throw settled.failure;
      }
      await this.#journal.discardThrough(head.batch.lastSeq);
      progressed();
    }
  }

  /**
   * 0 when `records` may leave now; else they are few and wait: behind a batch in flight
   * (-1, until it settles or more arrive) or for the pacing gap (its milliseconds left).
   */
  #holdMs(records: readonly JournalRecord<T>[], inflight: number): number {
    if (records.reduce((sum, record) => sum + record.weight, 0) >= this.#coalesceBelow) return 0;
    if (inflight > 0) return -1;
    const left = this.#lastSentAt + this.#coalesceMs - performance.now();
    return left > 0 ? Math.ceil(left) : 0;
  }

  /** Resolves at the journal's next durable append. */
  #nextAppend(): Promise<'appended'> {
    return new Promise((resolve) => this.#appendWaiters.push(() => resolve('appended')));
  }

  /** Applies one batch through the log and reports it. */
  async #applyOne(batch: B, records: number): Promise<void> {
    const started = process.hrtime.bigint();
    const applied = await this.#target.apply(batch);
    this.#observer.drained(batch, applied, Number(process.hrtime.bigint() - started) / 1e9);
    const problem = this.#plan.problem(applied);
    if (problem !== null) {
      this.#log.error('ingested data could not be stored', { problem, records, firstSeq: batch.firstSeq, lastSeq: batch.lastSeq });
    }
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
