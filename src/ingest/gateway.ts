import { ChronosError } from '../lib/index.js';
import type { Clock } from '../lib/index.js';
import type { IngestJournal } from './journal.js';
import { parseIngestBody } from './reading.js';

/** Why a request was refused, as the rejected-readings metric labels it. */
export type RejectReason = 'invalid' | 'busy' | 'backlog' | 'no_table' | 'unavailable';

/** What the gateway reports to metrics. */
export interface GatewayObserver {
  accepted(readings: number): void;
  rejected(reason: RejectReason): void;
}

/** Limits on what ingest holds at once (docs/operations.md says how to set them). */
export interface IngestLimits {
  /** Requests being journaled at once (`CHRONOS_INGEST_MAX_INFLIGHT`, default 64). */
  readonly maxInflight: number;
  /** Readings journaled but not yet stored (`CHRONOS_INGEST_MAX_BACKLOG_READINGS`). */
  readonly maxBacklogReadings: number;
}

/** How long a "readings is ready" answer is trusted before the catalog is read again. */
const TABLE_CHECK_TTL_MS = 1_000;

/**
 * The front of `POST /ingest`: validates a body, applies the limits, and answers only once the
 * readings are journaled and fsynced. Refusals are typed: INVALID_ARGUMENT (400),
 * RESOURCE_EXHAUSTED (429), UNKNOWN_TABLE with the CREATE TABLE to run, UNAVAILABLE.
 */
export class IngestGateway {
  readonly #journal: IngestJournal;
  readonly #limits: IngestLimits;
  readonly #tableProblem: () => Promise<string | null>;
  readonly #observer: GatewayObserver;
  readonly #clock: Clock;
  #inflight = 0;
  #tableReadyUntilMs = 0;

  constructor(journal: IngestJournal, limits: IngestLimits, tableProblem: () => Promise<string | null>,
    observer: GatewayObserver, clock: Clock) {
    this.#journal = journal;
    this.#limits = limits;
    this.#tableProblem = tableProblem;
    this.#observer = observer;
    this.#clock = clock;
  }

  /** Journals a request body's readings; resolves with how many once they are on disk. */
  async accept(body: unknown): Promise<number> {
    if (this.#inflight >= this.#limits.maxInflight) {
      throw this.#refuse('busy', `more than ${this.#limits.maxInflight} ingest requests in flight ` +
        '(CHRONOS_INGEST_MAX_INFLIGHT); retry later');
    }
    this.#inflight += 1;
    try {
      let readings;
      try {
        readings = parseIngestBody(body);
      } catch (error) {
        this.#observer.rejected('invalid');
        throw error;
      }
      const backlog = this.#journal.stats().pendingReadings;
      if (backlog + readings.length > this.#limits.maxBacklogReadings) {
        throw this.#refuse('backlog', `the ingest journal holds ${backlog} readings not yet stored ` +
          `(limit ${this.#limits.maxBacklogReadings}, CHRONOS_INGEST_MAX_BACKLOG_READINGS); retry later`);
      }
      await this.#checkTable();
      try {
        await this.#journal.append(readings, this.#clock.nowMs());
      } catch (error) {
        this.#observer.rejected('unavailable');
        throw error;
      }
      this.#observer.accepted(readings.length);
      return readings.length;
    } finally {
      this.#inflight -= 1;
    }
  }

  async #checkTable(): Promise<void> {
    const now = this.#clock.nowMs();
    if (now < this.#tableReadyUntilMs) return;
    const problem = await this.#tableProblem();
    if (problem !== null) {
      this.#observer.rejected('no_table');
      throw new ChronosError('UNKNOWN_TABLE', problem);
    }
    this.#tableReadyUntilMs = now + TABLE_CHECK_TTL_MS;
  }

  #refuse(reason: RejectReason, message: string): ChronosError {
    this.#observer.rejected(reason);
    return new ChronosError('RESOURCE_EXHAUSTED', message);
  }
}
