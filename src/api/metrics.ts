import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { NodeStatus } from './node-status.js';
import { roleGaugeValue } from './node-status.js';
import { IngestMetrics, POINTS_NAMING, READINGS_NAMING } from './ingest-metrics.js';
import type { IngestBacklog } from './ingest-metrics.js';
import { SyncTargetMetrics } from './sync-metrics.js';

/** Live values the metrics read at scrape time. */
export interface MetricsSources {
  status(): NodeStatus;
  storageSizeBytes(): Promise<number>;
  /** fsyncs the WAL made since start. */
  walFsyncs(): number;
  /** Column blocks background compaction merged away since start; absent: not counted. */
  blocksCompacted?(): number;
  /** The ingest journal's backlog; absent or null without --enable-ingest. */
  ingestBacklog?(): IngestBacklog | null;
  /** The line-protocol write journal's backlog; absent or null without --enable-ingest. */
  writeBacklog?(): IngestBacklog | null;
}

/** The node's Prometheus registry and the instruments the request paths update. */
export class NodeMetrics {
  readonly registry = new Registry();
  readonly sqlRequests: Counter<'kind'>;
  readonly sqlErrors: Counter<'kind'>;
  readonly sqlDuration: Histogram<'kind'>;
  readonly walFsyncs: Counter;
  readonly ingest: IngestMetrics;
  readonly write: IngestMetrics;
  readonly syncTarget: SyncTargetMetrics;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    this.sqlRequests = new Counter({
      name: 'chronos_sql_requests_total',
      help: 'SQL statements received, by kind (read or write).',
      labelNames: ['kind'],
      registers,
    });
    // Both series exist from the start so dashboards and rate() see zeros, not gaps.
    this.sqlRequests.inc({ kind: 'read' }, 0);
    this.sqlRequests.inc({ kind: 'write' }, 0);
    this.sqlErrors = new Counter({
      name: 'chronos_sql_errors_total',
      help: 'SQL statements that ended in an error, by kind (read or write).',
      labelNames: ['kind'],
      registers,
    });
    this.sqlDuration = new Histogram({
      name: 'chronos_sql_request_duration_seconds',
      help: 'Time from receiving a SQL statement to answering it, by kind.',
      labelNames: ['kind'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    let reported = 0;
    this.walFsyncs = new Counter({
      name: 'chronos_wal_fsyncs_total',
      help: 'fsync calls made by the write-ahead log (one per group-committed batch).',
      registers,
      collect() {
        // The WAL counts its own syncs; the counter catches up at scrape time.
        const now = sources.walFsyncs();
        if (now > reported) this.inc(now - reported);
        reported = now;
      },
    });
    let compacted = 0;
    new Counter({
      name: 'chronos_storage_blocks_compacted_total',
      help: 'Column blocks merged away by background compaction (small per-device blocks into full ones).',
      registers,
      collect() {
        const now = sources.blocksCompacted?.() ?? 0;
        if (now > compacted) this.inc(now - compacted);
        compacted = now;
      },
    });
    new Gauge({
      name: 'chronos_raft_term',
      help: 'Current Raft term of this node.',
      registers,
      collect() {
        this.set(sources.status().term);
      },
    });
    new Gauge({
      name: 'chronos_raft_role',
      help: 'Raft role of this node: 0 follower, 1 candidate, 2 leader.',
      registers,
      collect() {
        this.set(roleGaugeValue(sources.status().role));
      },
    });
    new Gauge({
      name: 'chronos_raft_commit_index',
      help: 'Highest log index known to be committed.',
      registers,
      collect() {
        this.set(sources.status().commitIndex);
      },
    });
    new Gauge({
      name: 'chronos_raft_applied_index',
      help: 'Highest log index applied to storage.',
      registers,
      collect() {
        this.set(sources.status().appliedIndex);
      },
    });
    new Gauge({
      name: 'chronos_raft_recovering',
      help: '1 while this node catches up after losing its log (wiped or restored); it does not vote meanwhile.',
      registers,
      collect() {
        this.set(sources.status().recovering ? 1 : 0);
      },
    });
    new Gauge({
      name: 'chronos_raft_members',
      help: 'Members of the cluster by role: voters, and learners still catching up before promotion.',
      labelNames: ['role'],
      registers,
      collect() {
        const status = sources.status();
        this.set({ role: 'voter' }, status.voters.length);
        this.set({ role: 'learner' }, status.learners.length);
      },
    });
    this.ingest = new IngestMetrics(this.registry, READINGS_NAMING, () => sources.ingestBacklog?.() ?? null, () => Date.now());
    this.write = new IngestMetrics(this.registry, POINTS_NAMING, () => sources.writeBacklog?.() ?? null, () => Date.now());
    this.syncTarget = new SyncTargetMetrics(this.registry);
    new Gauge({
      name: 'chronos_storage_size_bytes',
      help: 'Bytes of every file in the node data dir (WAL and state), as du --apparent-size counts them.',
      registers,
      async collect() {
        this.set(await sources.storageSizeBytes());
      },
    });
  }

  /** The exposition text for a scrape. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
