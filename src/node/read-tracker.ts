import { AnswerPacer, ChronosError, systemScheduler } from '../lib/index.js';
import type { Scheduler, Timer } from '../lib/index.js';

interface PendingRead {
  readonly requestId: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly timer: Timer;
  /** Known once the ReadIndex round completes. */
  readIndex: number | null;
}

/**
 * Linearizable reads (thesis §6.4): a read waits until the leader has confirmed its leadership
 * for a read index, and then until this node has applied at least that index.
 */
export class ReadTracker {
  readonly #pending = new Map<number, PendingRead>();
  /**
   * Confirmed reads still waiting for their index to apply. Apart from `#pending` so that a
   * read confirmed at an applied index (a leader's reads under its lease: all of them) is
   * released without looking at the others: 64 clients' reads each scanned all 64.
   */
  #waiting: PendingRead[] = [];
  #nextRequestId = 1;
  readonly #scheduler: Scheduler;
  /** Reads released together go out a few per turn (answer-pacer.ts). */
  readonly #pacer: AnswerPacer;

  constructor(scheduler: Scheduler = systemScheduler) {
    this.#scheduler = scheduler;
    this.#pacer = new AnswerPacer(scheduler);
  }

  /** Registers a read; returns the request id to hand to the Raft core and the wait. */
  begin(timeoutMs: number): { requestId: number; ready: Promise<void> } {
    const requestId = this.#nextRequestId++;
    const ready = new Promise<void>((resolve, reject) => {
      const timer = this.#scheduler.after(timeoutMs, () => {
        const readIndex = this.#pending.get(requestId)?.readIndex ?? null;
        this.#forget(requestId);
        reject(new ChronosError('TIMEOUT', `read not served within ${timeoutMs} ms: ` + (readIndex === null ? 'no leader or no quorum'
          // The leader confirmed the read: what it waits for is a long write being applied.
          : `confirmed at log index ${readIndex}, which this node has not yet applied (a long write is being applied)`)));
      });
      this.#pending.set(requestId, { requestId, resolve, reject, timer, readIndex: null });
    });
    return { requestId, ready };
  }

  /** Whether a confirmed read waits for its index to apply. */
  get hasWaiting(): boolean {
    return this.#waiting.length > 0;
  }

  /** The core confirmed `readIndex` for `requestId`. */
  confirmed(requestId: number, readIndex: number, appliedIndex: number): void {
    const read = this.#pending.get(requestId);
    if (read === undefined) return;
    read.readIndex = readIndex;
    if (readIndex <= appliedIndex) this.#release(read);
    else this.#waiting.push(read);
  }

  /** Releases every read whose index is now applied. */
  applied(appliedIndex: number): void {
    if (this.#waiting.length === 0) return;
    const still: PendingRead[] = [];
    for (const read of this.#waiting) {
      if ((read.readIndex ?? Infinity) <= appliedIndex) this.#release(read);
      else still.push(read);
    }
    this.#waiting = still;
  }

  #release(read: PendingRead): void {
    this.#pending.delete(read.requestId);
    read.timer.cancel();
    this.#pacer.release(read.resolve);
  }

  /** Fails one read (e.g. the core could not start a ReadIndex round). */
  fail(requestId: number, error: Error): void {
    const read = this.#pending.get(requestId);
    if (read === undefined) return;
    this.#forget(requestId);
    read.timer.cancel();
    read.reject(error);
  }

  /** Drops a read that ends unserved, from the waiting list too (an idle node may not apply again soon). */
  #forget(requestId: number): void {
    this.#pending.delete(requestId);
    if (this.#waiting.length > 0) this.#waiting = this.#waiting.filter((read) => read.requestId !== requestId);
  }

  /** Fails every pending read. */
  failAll(error: Error): void {
    // Reads already released were confirmed and applied: they are served before the node goes.
    this.#pacer.flush();
    this.#waiting = [];
    for (const requestId of [...this.#pending.keys()]) this.fail(requestId, error);
  }
}
