import type { Logger } from '../lib/index.js';
import type { RaftCore } from '../raft/index.js';
import type { StorageEngine } from '../storage/index.js';
import type { DiskStats, Wal } from '../wal/index.js';
import { ClientRequests } from './client-requests.js';
import { ClusterIdentity } from './cluster-identity.js';
import { InboundReplies } from './inbound-replies.js';
import { addressBook, membersView, peerAddresses } from './members.js';
import type { MembersView } from './members.js';
import { NodeGate } from './node-gate.js';
import { systemEnvironment } from './node-environment.js';
import type { NodeEnvironment, PeerTransport } from './node-environment.js';
import { ProposalTracker } from './proposal-tracker.js';
import { raftSettings } from './raft-node-options.js';
import type { RaftNodeOptions } from './raft-node-options.js';
import { ReadTracker } from './read-tracker.js';
import { ReadyLoop } from './ready-loop.js';
import type { CommandOutcome } from './replicated-command.js';
import { RemovalWatch } from './removal.js';
import { LeaderlessWatch } from './leaderless-watch.js';
import { restoreNode } from './restore.js';
import { SNAPSHOT_EVERY_BYTES, SnapshotKeeper } from './snapshots.js';
import { WriteHops } from './write-hops.js';
import { TtlPasses } from './ttl-passes.js';
import { WriteStages } from './write-stages.js';

/** A node's parts, wired to one another and not yet started. */
export interface NodeParts {
  readonly options: RaftNodeOptions;
  readonly environment: NodeEnvironment;
  readonly core: RaftCore;
  readonly wal: Wal;
  readonly walStats: Readonly<DiskStats>;
  readonly storage: StorageEngine;
  readonly peers: PeerTransport;
  readonly identity: ClusterIdentity;
  readonly proposals: ProposalTracker<CommandOutcome>;
  readonly reads: ReadTracker;
  readonly replies: InboundReplies;
  readonly snapshots: SnapshotKeeper;
  readonly gate: NodeGate;
  readonly loop: ReadyLoop;
  readonly requests: ClientRequests;
  readonly stages: WriteStages;
  readonly hops: WriteHops;
  readonly ttl: TtlPasses;
  readonly log: Logger;
  readonly removal: RemovalWatch;
  readonly leaderless: LeaderlessWatch;
  /** Log index of the snapshot the WAL was compacted to when opened. */
  readonly snapshotIndex: number;
}

/**
 * Opens the node's WAL and storage through its environment (the process's by default),
 * rebuilds the core, and wires the loop, the trackers and the client requests together.
 * `onClusterRefusal` is called when a peer refuses us as another cluster's.
 */
export async function assembleNode(
  options: RaftNodeOptions, clean: boolean, onClusterRefusal: (peer: string, theirs: string) => void,
): Promise<NodeParts> {
  const environment = options.environment ?? systemEnvironment(options);
  const restored = await restoreNode({ ...options, raft: raftSettings(options, environment.scheduler) }, clean, environment);
  const { core, storage, wal } = restored;
  const log = options.logger.child('raft');
  const identity = await ClusterIdentity.open(storage, options, log);
  const peers = environment.connectPeers({
    peers: peerAddresses(core.status().membership, options.id, options.peers),
    clusterId: () => identity.id,
    onClusterRefusal,
  });
  const { scheduler } = environment;
  const proposals = new ProposalTracker<CommandOutcome>(scheduler, (index, term) => {
    // A leader never replaces entries of its own term: committed through `index` means ours.
    const status = core.status();
    return status.role === 'Leader' && status.term === term && status.commitIndex >= index;
  });
  const reads = new ReadTracker(scheduler);
  const replies = new InboundReplies();
  let loop: ReadyLoop | null = null; // the keeper waits on the loop's apply pipeline
  const snapshots = new SnapshotKeeper({
    index: restored.snapshotIndex, storage, core, wal, log, everyEntries: options.snapshotEveryEntries,
    everyBytes: options.snapshotEveryBytes ?? SNAPSHOT_EVERY_BYTES,
    betweenApplies: (work) => (loop === null ? work() : loop.afterApplies(work)),
    keepImage: options.layout !== 'single-node',
  });
  const gate = new NodeGate(options.id, () => loop?.fatal ?? null);
  const stages = new WriteStages();
  const hops = new WriteHops();
  const ttl = new TtlPasses();
  loop = new ReadyLoop({
    id: options.id, core, wal, storage, peers, proposals, reads, replies, identity, snapshots, scheduler, gate, log,
    namedPeers: options.peers, syncCapture: options.syncCapture === true, nameCluster: options.layout !== 'single-node', stages, hops, ttl,
  });
  const members = (): MembersView => {
    const { membership } = core.status();
    return membersView(membership, addressBook(membership, options.id, options.address, options.peers));
  };
  const removal = new RemovalWatch(options.id, options.address, core, log);
  const leaderless = new LeaderlessWatch({
    self: options.id, address: options.address, status: () => core.status(),
    peerAddresses: () => peerAddresses(core.status().membership, options.id, options.peers),
    identify: (address) => peers.identify(address), clusterId: () => identity.id, removed: () => removal.current() !== null,
    nowMs: () => options.clock.nowMs(),
  }, log);
  const requests = new ClientRequests({
    id: options.id, core, storage, peers, proposals, reads, loop, gate, clock: options.clock, scheduler, log, removal,
    writeTimeoutMs: options.writeTimeoutMs, readTimeoutMs: options.readTimeoutMs,
    statementLimits: options.statementLimits, members, stages, hops,
  });
  log.info('node opened', {
    id: options.id, voters: restored.voters.join(','), term: restored.term, applied: storage.appliedIndex, lastIndex: restored.lastIndex,
  });
  return {
    options, environment, core, wal, walStats: restored.walStats, storage, peers, identity, proposals, reads, replies,
    snapshots, gate, loop, requests, stages, hops, ttl, log, removal, leaderless,
    snapshotIndex: restored.snapshotIndex,
  };
}
