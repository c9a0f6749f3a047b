import type { Clock, Logger, Scheduler } from '../lib/index.js';
import { resolveRaftConfig } from '../raft/index.js';
import type { RaftConfig, NodeId } from '../raft/index.js';
import type { StatementLimits } from '../sql/index.js';
import type { FloatCompression } from '../storage/index.js';
import type { TlsMaterial } from '../transport/index.js';
import type { NodeEnvironment } from './node-environment.js';
import type { NodeLayout } from './restore.js';

/** How one `chronos node` process runs its Raft member. */
export interface RaftNodeOptions {
  readonly id: NodeId;
  /** This node's own directory (`DATA_DIR/ID`): `wal/` and `state/` live in it. */
  readonly nodeDir: string;
  /** Other members as `--peers` gives them: id → host:port of their gRPC endpoint. Used until
   * the replicated membership (which follows later changes) says otherwise. */
  readonly peers: ReadonlyMap<NodeId, string>;
  /** This node's own gRPC host:port as `--address` gives it (recorded for the others). */
  readonly address: string;
  readonly tickMs: number;
  readonly raft?: Partial<Omit<RaftConfig, 'id' | 'voters' | 'readLease'>>;
  /** Serve the leader's linearizable reads under a lease (raft/read-lease.ts); on unless false. */
  readonly readLease?: boolean;
  /** Take a storage snapshot and compact the log after this many applied entries. */
  readonly snapshotEveryEntries: number;
  /** ... or once this many bytes of entries were logged and the last image is no larger (default SNAPSHOT_EVERY_BYTES). */
  readonly snapshotEveryBytes?: number;
  readonly writeTimeoutMs: number;
  readonly readTimeoutMs: number;
  /** Per-statement time and rows-held caps for reads (writes apply alike on every replica). */
  readonly statementLimits?: Omit<StatementLimits, 'signal'>;
  readonly tls: TlsMaterial | null;
  /** The admin token, carried on calls to peers when auth is on. */
  readonly peerToken: string | null;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How often the leader proposes a TTL pass (deleting expired rows); 0 = never. */
  readonly ttlCleanupIntervalMs: number;
  /** Seeds election jitter; defaults to something different per process. */
  readonly seed?: number;
  /** How blocks written from now on store FLOAT columns ('chimp' with CHRONOS_CHIMP_ENABLE); 'xor' unless set. */
  readonly floatCompression?: FloatCompression;
  /** Queue every applied write for a sync target (`--sync-target`): see sync/capture.ts. */
  readonly syncCapture?: boolean;
  /** Disk, storage, peers and timers; the process's own (files, LevelDB, gRPC) by default. */
  readonly environment?: NodeEnvironment;
  /** `node` (DIR/ID of a cluster) unless this is a single-node dir's one voter. */
  readonly layout?: NodeLayout;
}

/** Share of the followers' stickiness a lease may use: room for timer lateness and clock drift. */
const LEASE_SHARE = 0.8;

/**
 * How long a read lease lasts with these ticks. A follower ignores campaigns for
 * electionTicksMin ticks after hearing from its leader, which is at least electionTicksMin - 1
 * tick periods of real time (a tick may come right after the heartbeat; late ticks only
 * lengthen it); the lease takes a share of one tick less than that (0: too short for one).
 */
export function readLeaseDurationMs(tickMs: number, electionTicksMin: number): number {
  return Math.max(0, (electionTicksMin - 2) * tickMs * LEASE_SHARE);
}

/** The Raft settings of `options` with the read lease filled in (readLeaseDurationMs). */
export function raftSettings(options: RaftNodeOptions, scheduler: Scheduler): Partial<Omit<RaftConfig, 'id' | 'voters'>> {
  const raft = options.raft ?? {};
  if (options.readLease === false || raft.checkQuorum === false) return raft;
  const { electionTicksMin } = resolveRaftConfig({ ...raft, id: options.id, voters: [options.id] });
  const durationMs = readLeaseDurationMs(options.tickMs, electionTicksMin);
  if (durationMs <= 0) return raft;
  return { ...raft, readLease: { nowMs: () => scheduler.monotonicMs(), durationMs } };
}
