import type { Logger, Scheduler } from '../lib/index.js';
import { LogThrottle, systemScheduler } from '../lib/index.js';
import type { RaftMessage } from '../raft/index.js';
import type { NodeId } from '../raft/index.js';
import { openStorage, ROW_LAYOUT } from '../storage/index.js';
import type { FloatCompression, StorageEngine } from '../storage/index.js';
import type { CallContext } from '../transport/index.js';
import { identifyPeer, refusedOurToken } from '../transport/index.js';
import type { PeerIdentity } from '../transport/index.js';
import { PeerClients } from '../transport/index.js';
import type { ForwardResult } from '../transport/index.js';
import type { TlsMaterial } from '../transport/index.js';
import { CountingDisk, NodeDisk } from '../wal/index.js';
import type { Disk, DiskStats } from '../wal/index.js';
import type { MemberChange, MembersView } from './members.js';

/** How often a peer refusing every call is warned about, per peer. */
const PEER_WARNING_INTERVAL_MS = 30_000;

/** The peer transport port: what the driver asks of the network (gRPC, or the simulation's). */
export interface PeerTransport {
  /** Dials exactly these members (id → address). */
  updatePeers(peers: ReadonlyMap<NodeId, string>): void;
  /** Sends a message that has its own RPC (a snapshot); resolves with the answer, if any. */
  send(message: RaftMessage): Promise<RaftMessage | null>;
  /** Queues a message on the in-order stream to its peer; false when it was dropped. */
  stream(message: Exclude<RaftMessage, { type: 'snapshot' }>): boolean;
  /** Runs a client's statements on the leader `to`. */
  forwardSql(to: NodeId, statements: readonly string[], caller: Pick<CallContext, 'user' | 'token'>): Promise<ForwardResult>;
  /** Proposes an encoded command on the leader `to`; resolves with its encoded outcome. */
  forwardCommand(to: NodeId, command: Uint8Array): Promise<Uint8Array>;
  /** Asks the leader `to` to change the membership. */
  changeMembership(to: NodeId, change: MemberChange): Promise<MembersView>;
  /** Asks whoever listens at `address` which node and cluster it is. */
  identify(address: string): Promise<PeerIdentity>;
  close(): void;
}

/** What the driver tells its transport when connecting. */
export interface PeerTransportInit {
  readonly peers: ReadonlyMap<NodeId, string>;
  /** This node's cluster id, sent on every call (null before the cluster's birth reached it). */
  clusterId(): string | null;
  /** Peer `to` refused a call: we are of another cluster than its `theirs`. */
  onClusterRefusal(to: NodeId, theirs: string): void;
}

/**
 * Everything a node takes from its environment, so the same driver runs in a process (files,
 * LevelDB, gRPC, Node timers) and in the simulation (SimDisk, memory-level, a simulated
 * network and clock).
 */
export interface NodeEnvironment {
  readonly scheduler: Scheduler;
  /** The file system the WAL lives on, counting its appends and syncs. */
  readonly disk: Disk & { readonly stats: Readonly<DiskStats> };
  /** Opens (creating if missing) the state store at `path`. */
  openStorage(path: string): Promise<StorageEngine>;
  connectPeers(init: PeerTransportInit): PeerTransport;
}

/** What the process environment needs to reach peers. */
export interface SystemEnvironmentOptions {
  readonly tls: TlsMaterial | null;
  readonly peerToken: string | null;
  readonly writeTimeoutMs: number;
  readonly logger: Logger;
  /** How the storage engine compresses FLOAT columns of new blocks (default 'xor'). */
  readonly floatCompression?: FloatCompression;
}

/** The real thing: node:fs, classic-level, gRPC peers, Node timers. */
export function systemEnvironment(options: SystemEnvironmentOptions): NodeEnvironment {
  const peerLog = options.logger.child('transport');
  const refusals = new LogThrottle(PEER_WARNING_INTERVAL_MS);
  return {
    scheduler: systemScheduler,
    disk: new CountingDisk(new NodeDisk()),
    openStorage: (path) => openStorage({ dir: path, layout: { ...ROW_LAYOUT, floatCompression: options.floatCompression ?? 'xor' } }),
    connectPeers: (init) => {
      const clients = new PeerClients(init.peers, {
        tls: options.tls,
        token: options.peerToken,
        forwardDeadlineMs: options.writeTimeoutMs,
        onFailure: (failure) => {
          if (refusedOurToken(failure) && refusals.due(failure.to)) {
            peerLog.warn(`peer ${failure.to} refused this node's bearer token; every node of a cluster ` +
              'needs the same CHRONOS_AUTH_TOKEN_ADMIN', { address: failure.address, details: failure.message });
          } else {
            peerLog.debug('peer call failed', { ...failure });
          }
        },
        clusterId: init.clusterId,
        onClusterRefusal: init.onClusterRefusal,
      });
      return Object.assign(clients, {
        identify: (address: string) => identifyPeer(address,
          { tls: options.tls, token: options.peerToken, clusterId: init.clusterId(), deadlineMs: 1_000 }),
      });
    },
  };
}
