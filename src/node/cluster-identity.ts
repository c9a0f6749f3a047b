import { randomBytes } from 'node:crypto';
import { ChronosError } from '../lib/index.js';
import type { Logger } from '../lib/index.js';
import type { RaftCore, RaftStatus } from '../raft/index.js';
import type { StorageEngine, WriteTransaction } from '../storage/index.js';
import { readDirMarker, writeDirMarker } from './dir-marker.js';
import { ForeignClusterWatch, foreignDirLine } from './foreign-cluster.js';
import { isClusterId } from './replicated-command.js';
import { ClusterBirth } from './cluster-birth.js';
import type { BirthPort } from './cluster-birth.js';
import { probeNamedPeers } from './peer-probe.js';
import type { PeerProbePort } from './peer-probe.js';

/** What the identity's checks need from the running node. */
export interface IdentityPort extends BirthPort, Pick<PeerProbePort, 'refused' | 'running' | 'sleep'> {
  /** The peers `--peers` names: id → address. */
  readonly namedPeers: ReadonlyMap<string, string>;
}

/**
 * A cluster is named once, by a replicated `clusterBirth` command its first leader proposes.
 * The id lives in storage as a named value (so snapshots and backups carry it) and is copied
 * into the dir marker, where an operator (and `-d` checks) can read it without opening storage.
 */
const CLUSTER_ID_VALUE = 'cluster-id';

/** A fresh random cluster id. */
export function newClusterId(): string {
  return randomBytes(16).toString('hex');
}

/** The cluster id storage records, or null before the cluster's birth was applied. */
export async function storedClusterId(storage: StorageEngine): Promise<string | null> {
  const reader = await storage.reader();
  try {
    const value = await reader.getNamedValue(CLUSTER_ID_VALUE);
    return value === undefined ? null : new TextDecoder().decode(value);
  } finally {
    await reader.close();
  }
}

/**
 * Applies a birth: the first one applied names the cluster, later ones (a second leader that
 * proposed before the first birth reached it) change nothing. Answers the cluster's id.
 */
export async function applyClusterBirth(txn: WriteTransaction, clusterId: string): Promise<string> {
  const existing = await txn.getNamedValue(CLUSTER_ID_VALUE);
  if (existing !== undefined) return new TextDecoder().decode(existing);
  txn.putNamedValue(CLUSTER_ID_VALUE, new TextEncoder().encode(clusterId));
  return clusterId;
}

/** Writes `clusterId` into the node dir's marker unless it is already there. */
export function recordClusterId(nodeDir: string, nodeId: string, clusterId: string): void {
  const marker = readDirMarker(nodeDir);
  if (marker?.clusterId === clusterId) return;
  // A single-node dir stays one (its node has no id an operator gave).
  if (marker?.kind === 'single-node') writeDirMarker(nodeDir, { kind: 'single-node', nodeId: null, clusterId });
  else writeDirMarker(nodeDir, { kind: 'node', nodeId: marker?.nodeId ?? nodeId, clusterId });
}

/** The cluster id the marker records (a dir restored before storage learned one), or null. */
export function markedClusterId(nodeDir: string): string | null {
  const marked = readDirMarker(nodeDir)?.clusterId ?? null;
  return marked !== null && isClusterId(marked) ? marked : null;
}

/**
 * This node's cluster id as the node uses it: sent on every peer call, checked on every
 * received one, shown in /health. Storage is the authority; the marker is read only while
 * storage has none (a dir restored from a backup taken before the birth).
 */
export class ClusterIdentity {
  readonly #nodeDir: string;
  readonly #nodeId: string;
  readonly #log: Logger;
  #id: string | null;
  /** True once storage confirmed `#id`: later applies cannot change it. */
  #stored: boolean;
  #birth: ClusterBirth | null = null;
  readonly #foreign: ForeignClusterWatch;
  /** The peers `--peers` names: members too for this check (the ones the operator meant). */
  readonly #namedPeers: readonly string[];

  private constructor(
    nodeDir: string, nodeId: string, log: Logger, id: string | null, stored: boolean, namedPeers: readonly string[],
  ) {
    this.#namedPeers = namedPeers;
    this.#nodeDir = nodeDir;
    this.#nodeId = nodeId;
    this.#log = log;
    this.#id = id;
    this.#stored = stored;
    this.#foreign = new ForeignClusterWatch(nodeId);
  }

  /** Reads the id from storage (else the marker) and brings the marker up to date. */
  static async open(
    storage: StorageEngine, node: { readonly nodeDir: string; readonly id: string; readonly peers: ReadonlyMap<string, string> },
    log: Logger,
  ): Promise<ClusterIdentity> {
    const stored = await storedClusterId(storage);
    if (stored !== null) recordClusterId(node.nodeDir, node.id, stored);
    return new ClusterIdentity(node.nodeDir, node.id, log, stored ?? markedClusterId(node.nodeDir), stored !== null,
      [...node.peers.keys()]);
  }

  /** The cluster id, or null while this node has none (new, wiped, or a cluster not born yet). */
  get id(): string | null {
    return this.#id;
  }

  /**
   * Picks up the id once storage has it (after an apply or a snapshot install, which may
   * bring another image: `reread`) and records it in the marker.
   */
  async learn(storage: StorageEngine, reread = false): Promise<void> {
    if (this.#stored && !reread) return;
    const stored = await storedClusterId(storage);
    if (stored === null || (this.#stored && stored === this.#id)) return;
    recordClusterId(this.#nodeDir, this.#nodeId, stored);
    if (stored !== this.#id) this.#log.info('cluster id recorded', { cluster: stored });
    this.#id = stored;
    this.#stored = true;
  }

  /**
   * Starts the checks that need the running node: naming an unnamed cluster when leading, and
   * asking the peers `--peers` names who they are (only with an id: a node without one can't
   * be refused, and learns its id from the cluster it joins).
   */
  start(port: IdentityPort): void {
    this.#birth = new ClusterBirth(port, this.#log);
    void probeNamedPeers(this.#id === null ? new Map() : port.namedPeers, {
      identify: port.identify,
      refused: port.refused,
      answered: (peer) => this.accepted(peer),
      running: port.running,
      sleep: port.sleep,
    });
  }

  /** On a leader of a cluster with no id: names it (see ClusterBirth); a restored dir's marker id is reused. */
  proposeBirth(core: Pick<RaftCore, 'status' | 'propose'>): void {
    if (!this.#stored) this.#birth?.consider(core, () => this.#id ?? newClusterId());
  }

  /** A message from `peer` was taken here: it is not of another cluster. */
  accepted(peer: string): void {
    this.#foreign.accepted(peer);
  }

  /**
   * Peer `peer` refused us as a member of cluster `theirs`. Answers the error this node stops
   * with once a strict majority of the others do (its dir is the foreign one): the members,
   * and the peers `--peers` names (a dir's image may name other members than those it joins).
   */
  refusedBy(peer: string, theirs: string, members: Pick<RaftStatus, 'voters' | 'learners'>): ChronosError | null {
    const ours = this.#id;
    if (ours === null) return null;
    if (this.#foreign.refused(peer, theirs)) {
      this.#log.warn('a peer refuses this node: it belongs to another cluster', { peer, peerCluster: theirs, cluster: ours });
    }
    const majority = this.#foreign.majorityCluster([...new Set([...members.voters, ...members.learners, ...this.#namedPeers])]);
    return majority === null ? null
      : new ChronosError('CLUSTER_MISMATCH', foreignDirLine(this.#nodeId, ours, majority));
  }
}
