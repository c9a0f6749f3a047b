import { ChronosError } from '../lib/index.js';
import type { GatewayObserver, IngestLimits, RejectReason } from './gateway.js';
import type { IngestJournal } from './journal.js';

/** How refusals name what is limited: `ingest requests`/`readings` or `line-protocol writes`/`points`. */
export interface AdmissionNames {
  readonly requests: string;
  readonly journal: string;
  readonly items: string;
}

/**
 * What every ingest front checks before it answers: requests in flight and the journal's
 * backlog (RESOURCE_EXHAUSTED, 429), and journaling itself (UNAVAILABLE when the journal
 * fails), each refusal counted by reason.
 */
export class Admission<T> {
  readonly #journal: IngestJournal<T>;
  readonly #limits: IngestLimits;
  readonly #observer: GatewayObserver;
  readonly #names: AdmissionNames;
  #inflight = 0;
  /** Requests whose body is being read or parsed (see `open`). */
  #opened = 0;
  /** Items that passed the backlog check and are being journaled: not yet in the journal's count. */
  #journaling = 0;

  constructor(journal: IngestJournal<T>, limits: IngestLimits, observer: GatewayObserver, names: AdmissionNames) {
    this.#journal = journal;
    this.#limits = limits;
    this.#observer = observer;
    this.#names = names;
  }

  /** Runs one request, refused past `CHRONOS_INGEST_MAX_INFLIGHT` requests at once. */
  async admit<R>(request: () => Promise<R>): Promise<R> {
    if (this.#inflight >= this.#limits.maxInflight) {
      throw this.refuse('busy', `more than ${this.#limits.maxInflight} ${this.#names.requests} in flight ` +
        '(CHRONOS_INGEST_MAX_INFLIGHT); retry later');
    }
    this.#inflight += 1;
    try {
      return await request();
    } finally {
      this.#inflight -= 1;
    }
  }

  /**
   * Before a request's body is read: refuses (RESOURCE_EXHAUSTED) when the node would refuse
   * it anyway, with `CHRONOS_INGEST_MAX_INFLIGHT` requests already open or the backlog full, so
   * a refused request costs no body read or parse; otherwise returns the call that closes it.
   */
  open(): () => void {
    if (this.#opened >= this.#limits.maxInflight) {
      throw this.refuse('busy', `more than ${this.#limits.maxInflight} ${this.#names.requests} open ` +
        '(CHRONOS_INGEST_MAX_INFLIGHT); retry later');
    }
    this.checkBacklog(0);
    this.#opened += 1;
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      this.#opened -= 1;
    };
  }

  /** Refuses when `adding` more items would take the journal past its backlog limit (full at `adding` 0). */
  checkBacklog(adding: number): void {
    const backlog = this.#journal.stats().pendingItems + this.#journaling;
    if (backlog + adding > this.#limits.maxBacklogReadings || (adding === 0 && backlog >= this.#limits.maxBacklogReadings)) {
      throw this.refuse('backlog', `the ${this.#names.journal} holds ${backlog} ${this.#names.items} not yet stored ` +
        `(limit ${this.#limits.maxBacklogReadings}, CHRONOS_INGEST_MAX_BACKLOG_READINGS); retry later`);
    }
  }

  /**
   * Journals a request's records (one fsync); resolves once they are on disk. Called right
   * after `checkBacklog` (no await between), its items count toward the backlog from the call
   * on, so requests checked meanwhile cannot all pass and overshoot the limit together.
   */
  async journal(records: readonly T[], receivedAtMs: number, items: number): Promise<void> {
    this.#journaling += items;
    try {
      await this.#journal.appendAll(records, receivedAtMs);
    } catch (error) {
      this.#observer.rejected('unavailable');
      throw error;
    } finally {
      this.#journaling -= items;
    }
    this.#observer.accepted(items);
  }

  /** Runs `check`, counting what it throws as an invalid request. */
  async validate<R>(check: () => R | Promise<R>): Promise<R> {
    try {
      return await check();
    } catch (error) {
      this.#observer.rejected('invalid');
      throw error;
    }
  }

  /** `error` for a request stored in part, counted as an invalid request. */
  invalid(error: ChronosError): ChronosError {
    this.#observer.rejected('invalid');
    return error;
  }

  /** A RESOURCE_EXHAUSTED refusal, counted under `reason`. */
  refuse(reason: RejectReason, message: string): ChronosError {
    this.#observer.rejected(reason);
    return new ChronosError('RESOURCE_EXHAUSTED', message);
  }
}
