import type { Clock } from '../lib/index.js';
import type { Catalog } from '../storage/index.js';
import { DRAIN_BATCH_POINTS } from './drainer.js';
import { Admission } from './admission.js';
import type { GatewayObserver, IngestLimits } from './gateway.js';
import type { IngestJournal } from './journal.js';
import { chunkPoints, parseLineBody, rejectedLinesError } from './line-body.js';
import { storablePoints } from './measurement-table.js';
import { PendingColumns } from './pending-columns.js';
import type { Point } from './point.js';

/** One line-protocol request: its (decompressed) body and the unit of its timestamps. */
export interface LineWrite {
  readonly body: string;
  readonly nanosPerUnit: bigint;
}

/**
 * The front of `POST /write` and `/api/v2/write`: parses and checks a body against the tables
 * it writes, applies the limits, and resolves only once its points are journaled and fsynced.
 * Refusals are typed: INVALID_ARGUMENT (400, naming the line), RESOURCE_EXHAUSTED (429),
 * UNAVAILABLE (503).
 */
export class PointGateway {
  readonly #admission: Admission<readonly Point[]>;
  readonly #withCatalog: <T>(use: (catalog: Catalog) => T) => Promise<T>;
  readonly #clock: Clock;
  readonly #pending = new PendingColumns();

  constructor(journal: IngestJournal<readonly Point[]>, limits: IngestLimits,
    withCatalog: <T>(use: (catalog: Catalog) => T) => Promise<T>, observer: GatewayObserver, clock: Clock) {
    this.#admission = new Admission(journal, limits, observer,
      { requests: 'line-protocol writes', journal: 'write journal', items: 'points' });
    this.#withCatalog = withCatalog;
    this.#clock = clock;
  }

  /**
   * Journals a request's points; resolves with how many once they are on disk. Lines that are
   * not points, or that their tables cannot take, are left out as InfluxDB leaves them: the
   * rest are journaled first, then INVALID_ARGUMENT names the dropped lines ("partial write").
   */
  accept(write: LineWrite): Promise<number> {
    return this.#admission.admit(async () => {
      const receivedAtMs = this.#clock.nowMs();
      const { kept, rejected, release } = await this.#admission.validate(async () => {
        const parsed = await parseLineBody(write.body, {
          nanosPerUnit: write.nanosPerUnit, defaultTimeNs: BigInt(Math.trunc(receivedAtMs)) * 1_000_000n,
        });
        // One synchronous step: what is pending is read and held with no other request between.
        const storable = await this.#withCatalog((catalog) => {
          const checked = storablePoints(parsed.points, parsed.lineNumbers, catalog, this.#pending.pendingFor(parsed.points, catalog));
          return { ...checked, release: this.#pending.hold(checked.kept, catalog) };
        });
        const dropped = [...parsed.rejected, ...storable.rejected].sort((a, b) => a.line - b.line);
        if (storable.kept.length === 0) throw rejectedLinesError(dropped, 0);
        return { kept: storable.kept, rejected: dropped, release: storable.release };
      });
      try {
        this.#admission.checkBacklog(kept.length);
        await this.#admission.journal(chunkPoints(kept, DRAIN_BATCH_POINTS), receivedAtMs, kept.length);
      } catch (error) {
        release();
        throw error;
      }
      if (rejected.length > 0) throw this.#admission.invalid(rejectedLinesError(rejected, kept.length));
      return kept.length;
    });
  }
}
