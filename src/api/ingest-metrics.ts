import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

/** What the ingest journal holds now (the shape of ingest's JournalStats). */
export interface IngestBacklog {
  readonly pendingReadings: number;
  readonly diskBytes: number;
  readonly oldestPendingReceivedAtMs: number | null;
}

/** The ingest instruments: what came in, what was refused and why, and how draining goes. */
export class IngestMetrics {
  readonly readings: Counter<'outcome'>;
  readonly rejected: Counter<'reason'>;
  readonly drainBatchReadings: Histogram;
  readonly drainSeconds: Histogram;

  constructor(registry: Registry, backlog: () => IngestBacklog | null, nowMs: () => number) {
    const registers = [registry];
    this.readings = new Counter({
      name: 'chronos_ingest_readings_total',
      help: 'Ingested readings: accepted (journaled, answered 202), stored, and duplicate (already stored).',
      labelNames: ['outcome'], registers,
    });
    for (const outcome of ['accepted', 'stored', 'duplicate']) this.readings.inc({ outcome }, 0);
    this.rejected = new Counter({
      name: 'chronos_ingest_requests_rejected_total',
      help: 'Ingest requests refused, by reason (invalid, too_large, busy, backlog, no_table, unauthorized, unavailable).',
      labelNames: ['reason'], registers,
    });
    this.drainBatchReadings = new Histogram({
      name: 'chronos_ingest_drain_batch_readings',
      help: 'Readings per batch the drainer applied through the log (one log entry each).',
      buckets: [1, 10, 100, 500, 1000, 2500, 5000], registers,
    });
    this.drainSeconds = new Histogram({
      name: 'chronos_ingest_drain_seconds',
      help: 'Time to apply one drained batch through the log, from proposal to applied.',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers,
    });
    new Gauge({
      name: 'chronos_ingest_journal_bytes', help: 'Bytes of ingest journal segments on disk.', registers,
      collect() {
        this.set(backlog()?.diskBytes ?? 0);
      },
    });
    new Gauge({
      name: 'chronos_ingest_pending_readings', help: 'Readings journaled (answered 202) but not yet stored.',
      registers,
      collect() {
        this.set(backlog()?.pendingReadings ?? 0);
      },
    });
    new Gauge({
      name: 'chronos_ingest_oldest_pending_seconds',
      help: 'Age of the oldest journaled reading not yet stored (0 when none).', registers,
      collect() {
        const oldest = backlog()?.oldestPendingReceivedAtMs ?? null;
        this.set(oldest === null ? 0 : Math.max(0, (nowMs() - oldest) / 1000));
      },
    });
  }
}
