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

  /** Refuses when `adding` more items would take the journal past its backlog limit. */
  checkBacklog(adding: number): void {
    const backlog = this.#journal.stats().pendingItems;
    if (backlog + adding > this.#limits.maxBacklogReadings) {
      throw this.refuse('backlog', `the ${this.#names.journal} holds ${backlog} ${this.#names.items} not yet stored ` +
        `(limit ${this.#limits.maxBacklogReadings}, CHRONOS_INGEST_MAX_BACKLOG_READINGS); retry later`);
    }
  }

  /** Journals a request's records (one fsync); resolves once they are on disk. */
  async journal(records: readonly T[], receivedAtMs: number, items: number): Promise<void> {
    try {
      await this.#journal.appendAll(records, receivedAtMs);
    } catch (error) {
      this.#observer.rejected('unavailable');
      throw error;
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
