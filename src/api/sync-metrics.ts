import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

import type { OutboxReport } from '../node/index.js';

/** Target side: what edges' batches did here. Every node is a target, so these always exist. */
export class SyncTargetMetrics {
  readonly opsApplied: Counter<'edge'>;
  readonly opsDuplicate: Counter<'edge'>;
  readonly batchesRefused: Counter<'cause'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.opsApplied = new Counter({ name: 'chronos_sync_ops_applied_total',
      help: 'Ops from edges applied here (superseded ones included: last-writer-wins decided them), per edge.',
      labelNames: ['edge'], registers });
    this.opsDuplicate = new Counter({ name: 'chronos_sync_ops_duplicate_total',
      help: 'Ops from edges skipped as already applied (a batch sent again), per edge.',
      labelNames: ['edge'], registers });
    this.batchesRefused = new Counter({ name: 'chronos_sync_batches_refused_total',
      help: 'Sync batches refused here, by cause (auth, schema, invalid, unavailable).',
      labelNames: ['cause'], registers });
  }
}

/** Edge side: registered only on a node with --sync-target, so no other node shows a queue. */
export class EdgeSyncMetrics {
  readonly opsShipped: Counter;
  readonly opsResent: Counter;
  readonly batchesFailed: Counter<'cause'>;
  readonly writesRefused: Counter;

  constructor(registry: Registry, outbox: () => Promise<OutboxReport>, nowMs: () => number) {
    const registers = [registry];
    this.opsShipped = new Counter({ name: 'chronos_sync_edge_ops_shipped_total',
      help: 'Ops this edge shipped that its sync target acknowledged.', registers });
    this.opsResent = new Counter({ name: 'chronos_sync_edge_ops_resent_total',
      help: 'Ops this edge resent to rebuild its tables on a target that lost acknowledged ops (wiped or restored).', registers });
    this.batchesFailed = new Counter({ name: 'chronos_sync_edge_batches_failed_total',
      help: 'Batches this edge could not deliver, by cause (unreachable, auth, schema, other).',
      labelNames: ['cause'], registers });
    for (const cause of ['unreachable', 'auth', 'schema', 'other']) this.batchesFailed.inc({ cause }, 0);
    this.writesRefused = new Counter({ name: 'chronos_sync_edge_writes_refused_total',
      help: 'Writes refused because the sync outbox was over --sync-max-queue-mb.', registers });
    new Gauge({ name: 'chronos_sync_edge_pending_ops', help: 'Ops queued in the outbox, not yet acknowledged by the target.',
      registers, async collect() { this.set((await outbox()).pendingOps); } });
    new Gauge({ name: 'chronos_sync_edge_outbox_bytes', help: 'Bytes of the ops queued in the outbox.',
      registers, async collect() { this.set((await outbox()).bytes); } });
    new Gauge({ name: 'chronos_sync_edge_oldest_pending_seconds',
      help: 'Age of the oldest queued op by its HLC time (0 when none): the sync lag.', registers,
      async collect() {
        const oldest = (await outbox()).oldestOpMs;
        this.set(oldest === null ? 0 : Math.max(0, (nowMs() - oldest) / 1000));
      } });
  }
}
