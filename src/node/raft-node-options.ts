import type { Clock, Logger } from '../lib/index.js';
import type { RaftConfig, NodeId } from '../raft/index.js';
import type { StatementLimits } from '../sql/index.js';
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
  readonly raft?: Partial<Omit<RaftConfig, 'id' | 'voters'>>;
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
  /** Queue every applied write for a sync target (`--sync-target`): see sync/capture.ts. */
  readonly syncCapture?: boolean;
  /** Disk, storage, peers and timers; the process's own (files, LevelDB, gRPC) by default. */
  readonly environment?: NodeEnvironment;
  /** `node` (DIR/ID of a cluster) unless this is a single-node dir's one voter. */
  readonly layout?: NodeLayout;
}
