import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

/** What an ingest journal holds now (the shape of ingest's JournalStats). */
export interface IngestBacklog {
  readonly pendingItems: number;
  readonly diskBytes: number;
  readonly oldestPendingReceivedAtMs: number | null;
}

/** How one ingest path names its instruments: `/ingest` counts readings, `/write` points. */
export interface IngestNaming {
  /** `chronos_ingest` or `chronos_write`. */
  readonly prefix: string;
  /** `readings` or `points`. */
  readonly noun: string;
  /** Answer of an accepted request, for help texts (202, 204). */
  readonly answered: string;
  /** What happened to items once drained, besides being counted as accepted. */
  readonly outcomes: readonly string[];
  readonly outcomesHelp: string;
  readonly reasons: string;
}

/** The /ingest instruments (their names predate /write and are kept). */
export const READINGS_NAMING: IngestNaming = {
  prefix: 'chronos_ingest', noun: 'readings', answered: '202', outcomes: ['stored', 'duplicate'],
  outcomesHelp: 'stored, and duplicate (already stored)',
  reasons: 'invalid, too_large, busy, backlog, no_table, unauthorized, unavailable',
};

/** The /write and /api/v2/write (line protocol) instruments. */
export const POINTS_NAMING: IngestNaming = {
  prefix: 'chronos_write', noun: 'points', answered: '204', outcomes: ['stored', 'merged', 'skipped'],
  outcomesHelp: 'stored (new series and time), merged (same series and time: fields written over the row), ' +
    'skipped (table or column changed shape after the 204)',
  reasons: 'invalid, too_large, busy, backlog, unauthorized, unavailable',
};

/** One ingest path's instruments: what came in, what was refused and why, and how draining goes. */
export class IngestMetrics {
  /** Items by outcome (`chronos_ingest_readings_total`, `chronos_write_points_total`). */
  readonly items: Counter<'outcome'>;
  readonly rejected: Counter<'reason'>;
  readonly drainBatchItems: Histogram;
  readonly drainSeconds: Histogram;

  constructor(registry: Registry, naming: IngestNaming, backlog: () => IngestBacklog | null, nowMs: () => number) {
    const registers = [registry];
    const { prefix, noun } = naming;
    this.items = new Counter({
      name: `${prefix}_${noun}_total`,
      help: `Ingested ${noun}: accepted (journaled, answered ${naming.answered}), ${naming.outcomesHelp}.`,
      labelNames: ['outcome'], registers,
    });
    for (const outcome of ['accepted', ...naming.outcomes]) this.items.inc({ outcome }, 0);
    this.rejected = new Counter({
      name: `${prefix}_requests_rejected_total`,
      help: `Requests refused, by reason (${naming.reasons}).`, labelNames: ['reason'], registers,
    });
    this.drainBatchItems = new Histogram({
      name: `${prefix}_drain_batch_${noun}`,
      help: `${noun[0]?.toUpperCase() ?? ''}${noun.slice(1)} per batch the drainer applied through the log (one log entry each).`,
      buckets: [1, 10, 100, 500, 1000, 2500, 5000], registers,
    });
    this.drainSeconds = new Histogram({
      name: `${prefix}_drain_seconds`,
      help: 'Time to apply one drained batch through the log, from proposal to applied.',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers,
    });
    registerBacklogGauges(registers, naming, backlog, nowMs);
  }
}

function registerBacklogGauges(registers: Registry[], naming: IngestNaming, backlog: () => IngestBacklog | null,
  nowMs: () => number): void {
  const { prefix, noun } = naming;
  new Gauge({
    name: `${prefix}_journal_bytes`, help: 'Bytes of journal segments on disk.', registers,
    collect() {
      this.set(backlog()?.diskBytes ?? 0);
    },
  });
  new Gauge({
    name: `${prefix}_pending_${noun}`, help: `${noun} journaled (answered ${naming.answered}) but not yet stored.`,
    registers,
    collect() {
      this.set(backlog()?.pendingItems ?? 0);
    },
  });
  new Gauge({
    name: `${prefix}_oldest_pending_seconds`,
    help: `Age of the oldest journaled ${noun.slice(0, -1)} not yet stored (0 when none).`, registers,
    collect() {
      const oldest = backlog()?.oldestPendingReceivedAtMs ?? null;
      this.set(oldest === null ? 0 : Math.max(0, (nowMs() - oldest) / 1000));
    },
  });
}
