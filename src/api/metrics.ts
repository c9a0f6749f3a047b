import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { NodeStatus } from './node-status.js';
import { roleGaugeValue } from './node-status.js';
import { IngestMetrics, POINTS_NAMING, READINGS_NAMING } from './ingest-metrics.js';
import type { IngestBacklog } from './ingest-metrics.js';
import { SyncTargetMetrics } from './sync-metrics.js';
import { registerWriteStages } from './write-stage-metrics.js';
import { registerProcessMetrics } from './process-metrics.js';
import { catchUpCounter } from './catch-up-counter.js';
import type { WriteStageTotals } from './write-stage-metrics.js';

/** Live values the metrics read at scrape time. */
export interface MetricsSources {
  status(): NodeStatus;
  storageSizeBytes(): Promise<number>;
  /** fsyncs the WAL made since start. */
  walFsyncs(): number;
  /** Column blocks background compaction merged away since start; absent: not counted. */
  blocksCompacted?(): number;
  /** True when background compaction has nothing left to merge until the next write; absent: not reported. */
  compactionSettled?(): boolean;
  /** LevelDB compactions after block compaction deleted many blocks; absent: not counted. */
  tombstoneSweeps?(): { readonly completed: number; readonly running: boolean };
  /** Keys of dropped tables and indexes cleared since start, and whether any are left; absent: not counted. */
  droppedClearing?(): { readonly keysCleared: number; readonly pending: boolean };
  /** Indexes being built in passes now (CREATE INDEX over a big table); absent: none. */
  indexesBuilding?(): number;
  /** The ingest journal's backlog; absent or null without --enable-ingest. */
  ingestBacklog?(): IngestBacklog | null;
  /** The line-protocol write journal's backlog; absent or null without --enable-ingest. */
  writeBacklog?(): IngestBacklog | null;
  /** Reads served as leader under the read lease and by heartbeat rounds; absent: not counted. */
  leaderReads?(): { readonly lease: number; readonly round: number };
  /** Where this node's own writes spent their time; absent: not exported. */
  writeStages?(): WriteStageTotals;
  /** TTL passes this node applied since start; absent: reported as none. */
  ttlPasses?(): { readonly passes: number; readonly rowsExpired: number; readonly lastPassMs: number | null };
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
    const sql = sqlInstruments(registers);
    this.sqlRequests = sql.requests;
    this.sqlErrors = sql.errors;
    this.sqlDuration = sql.duration;
    this.walFsyncs = catchUpCounter(registers, 'chronos_wal_fsyncs_total',
      'fsync calls made by the write-ahead log (one per group-committed batch).', () => sources.walFsyncs());
    catchUpCounter(registers, 'chronos_storage_blocks_compacted_total',
      'Column blocks merged away by background compaction (small per-device blocks into full ones).',
      () => sources.blocksCompacted?.() ?? 0);
    registerSweepMetrics(registers, () => sources.tombstoneSweeps?.() ?? { completed: 0, running: false });
    registerDroppedMetrics(registers, () => sources.droppedClearing?.() ?? { keysCleared: 0, pending: false });
    new Gauge({
      name: 'chronos_storage_indexes_building',
      help: 'Indexes still being built in passes (CREATE INDEX over more rows than one pass indexes); reads use them at 0.',
      registers,
      collect() {
        this.set(sources.indexesBuilding?.() ?? 0);
      },
    });
    new Gauge({
      name: 'chronos_storage_compaction_settled',
      help: '1 when background compaction found nothing to merge in its last pass and nothing was written since, else 0.',
      registers,
      collect() {
        this.set(sources.compactionSettled?.() === true ? 1 : 0);
      },
    });
    registerRaftGauges(registers, () => sources.status());
    catchUpCounter(registers, 'chronos_raft_lease_reads_total',
      'Linearizable reads this node served as leader at its commit index under its read lease (no heartbeat round).',
      () => sources.leaderReads?.().lease ?? 0);
    catchUpCounter(registers, 'chronos_raft_round_reads_total',
      'Linearizable reads this node served as leader once a heartbeat round to a majority confirmed its leadership.',
      () => sources.leaderReads?.().round ?? 0);
    registerTtlMetrics(registers, () => sources.ttlPasses?.() ?? { passes: 0, rowsExpired: 0, lastPassMs: null });
    const stages = sources.writeStages;
    if (stages !== undefined) registerWriteStages(registers, () => stages());
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
    registerProcessMetrics(this.registry);
  }

  /** The exposition text for a scrape. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** The SQL request counters and latency histogram, by kind (read or write). */
function sqlInstruments(registers: Registry[]): {
  readonly requests: Counter<'kind'>;
  readonly errors: Counter<'kind'>;
  readonly duration: Histogram<'kind'>;
} {
  const requests = new Counter({
    name: 'chronos_sql_requests_total',
    help: 'SQL statements received, by kind (read or write).',
    labelNames: ['kind'],
    registers,
  });
  // Both series exist from the start so dashboards and rate() see zeros, not gaps.
  requests.inc({ kind: 'read' }, 0);
  requests.inc({ kind: 'write' }, 0);
  const errors = new Counter({
    name: 'chronos_sql_errors_total',
    help: 'SQL statements that ended in an error, by kind (read or write).',
    labelNames: ['kind'],
    registers,
  });
  const duration = new Histogram({
    name: 'chronos_sql_request_duration_seconds',
    help: 'Time from receiving a SQL statement to answering it, by kind.',
    labelNames: ['kind'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  return { requests, errors, duration };
}

/** The tombstone sweeps' counter and whether one runs now. */
function registerSweepMetrics(registers: Registry[], sweeps: () => { readonly completed: number; readonly running: boolean }): void {
  catchUpCounter(registers, 'chronos_storage_tombstone_sweeps_total',
    'LevelDB compactions of columnar tables run after block compaction deleted many blocks.', () => sweeps().completed);
  new Gauge({
    name: 'chronos_storage_tombstone_sweep_running',
    help: '1 while a LevelDB compaction of columnar tables (a tombstone sweep) runs, else 0.',
    registers,
    collect() {
      this.set(sweeps().running ? 1 : 0);
    },
  });
}

/** The keys of dropped tables and indexes cleared in the background, and whether any are left. */
function registerDroppedMetrics(registers: Registry[], clearing: () => { readonly keysCleared: number; readonly pending: boolean }): void {
  catchUpCounter(registers, 'chronos_storage_dropped_keys_cleared_total',
    'Keys of dropped tables and indexes deleted by background clearing.', () => clearing().keysCleared);
  new Gauge({
    name: 'chronos_storage_dropped_pending',
    help: '1 while a dropped table or index still has keys on disk to clear, else 0.',
    registers,
    collect() {
      this.set(clearing().pending ? 1 : 0);
    },
  });
}

/** One Raft gauge read from the node's status at scrape time. */
interface StatusGauge {
  readonly name: string;
  readonly help: string;
  readonly value: (status: NodeStatus) => number;
}

const RAFT_GAUGES: readonly StatusGauge[] = [
  { name: 'chronos_raft_term', help: 'Current Raft term of this node.', value: (status) => status.term },
  {
    name: 'chronos_raft_role',
    help: 'Raft role of this node: 0 follower, 1 candidate, 2 leader.',
    value: (status) => roleGaugeValue(status.role),
  },
  {
    name: 'chronos_raft_commit_index',
    help: 'Highest log index known to be committed.',
    value: (status) => status.commitIndex,
  },
  {
    name: 'chronos_raft_applied_index',
    help: 'Highest log index applied to storage.',
    value: (status) => status.appliedIndex,
  },
  {
    name: 'chronos_raft_recovering',
    help: '1 while this node catches up after losing its log (wiped or restored); it does not vote meanwhile.',
    value: (status) => (status.recovering ? 1 : 0),
  },
];

/** The Raft gauges (term, role, indexes, recovering, members), read at scrape time. */
function registerRaftGauges(registers: Registry[], status: () => NodeStatus): void {
  for (const gauge of RAFT_GAUGES) {
    new Gauge({
      name: gauge.name,
      help: gauge.help,
      registers,
      collect() {
        this.set(gauge.value(status()));
      },
    });
  }
  new Gauge({
    name: 'chronos_raft_members',
    help: 'Members of the cluster by role: voters, and learners still catching up before promotion.',
    labelNames: ['role'],
    registers,
    collect() {
      const now = status();
      this.set({ role: 'voter' }, now.voters.length);
      this.set({ role: 'learner' }, now.learners.length);
    },
  });
}

/** What the TTL passes did on this node: how many, the rows they removed, when the last ran. */
function registerTtlMetrics(registers: Registry[],
  totals: () => { readonly passes: number; readonly rowsExpired: number; readonly lastPassMs: number | null }): void {
  catchUpCounter(registers, 'chronos_ttl_passes_total',
    'TTL passes applied on this node (each removes the rows past their table\'s TTL; every replica applies each pass).',
    () => totals().passes);
  catchUpCounter(registers, 'chronos_ttl_rows_expired_total',
    'Rows TTL passes removed on this node.', () => totals().rowsExpired);
  new Gauge({
    name: 'chronos_ttl_last_pass_timestamp_seconds',
    help: 'Unix time the last TTL pass applied on this node ran at; 0 until one has since the node started.',
    registers,
    collect() {
      this.set((totals().lastPassMs ?? 0) / 1000);
    },
  });
}
