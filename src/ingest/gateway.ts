import { ChronosError } from '../lib/index.js';
import type { Clock } from '../lib/index.js';
import type { IngestJournal } from './journal.js';
import { Admission } from './admission.js';
import { parseIngestBody } from './reading.js';
import { scanIngestBody } from './ingest-body-scan.js';
import type { ReadingColumns } from './reading-columns.js';

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

/** A body `scan` read from its bytes: its readings, valid already. */
export class ScannedBody {
  constructor(readonly readings: ReadingColumns) {}
}

/**
 * The front of `POST /ingest`: validates a body, applies the limits, and answers only once the
 * readings are journaled and fsynced. Refusals are typed: INVALID_ARGUMENT (400),
 * RESOURCE_EXHAUSTED (429), UNKNOWN_TABLE with the CREATE TABLE to run, UNAVAILABLE.
 */
export class IngestGateway {
  readonly #admission: Admission<ReadingColumns>;
  readonly #tableProblem: () => Promise<string | null>;
  readonly #observer: GatewayObserver;
  readonly #clock: Clock;
  #tableReadyUntilMs = 0;

  constructor(journal: IngestJournal<ReadingColumns>, limits: IngestLimits, tableProblem: () => Promise<string | null>,
    observer: GatewayObserver, clock: Clock) {
    this.#admission = new Admission(journal, limits, observer,
      { requests: 'ingest requests', journal: 'ingest journal', items: 'readings' });
    this.#tableProblem = tableProblem;
    this.#observer = observer;
    this.#clock = clock;
  }

  /** Before the body is read: refuses a request the limits would refuse anyway (see Admission.open). */
  open(): () => void {
    return this.#admission.open();
  }

  /** The body's readings read from its bytes, when it has the usual shape (see scanIngestBody). */
  scan(bytes: Uint8Array): ScannedBody | null {
    const readings = scanIngestBody(bytes);
    return readings === null ? null : new ScannedBody(readings);
  }

  /** Journals a request body's readings (parsed JSON, or what `scan` gave); resolves with how many once they are on disk. */
  accept(body: unknown): Promise<number> {
    return this.#admission.admit(async () => {
      const readings = await this.#admission.validate(() => (body instanceof ScannedBody ? body.readings : parseIngestBody(body)));
      await this.#checkTable();
      this.#admission.checkBacklog(readings.length);
      await this.#admission.journal([readings], this.#clock.nowMs(), readings.length);
      return readings.length;
    });
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
}
