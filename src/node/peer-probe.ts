import type { NodeId } from '../raft/index.js';
import type { PeerIdentity } from '../transport/index.js';

/** What probing the named peers needs from the node. */
export interface PeerProbePort {
  identify(address: string): Promise<PeerIdentity>;
  /** `peer` refused us as a member of cluster `theirs`. */
  refused(peer: NodeId, theirs: string): void;
  /** `peer` took our call: it is not of another cluster. */
  answered(peer: NodeId): void;
  /** False once the node stops: the probe ends. */
  running(): boolean;
  /** Waits between rounds. */
  sleep(ms: number): Promise<void>;
}

/**
 * Asks each peer `--peers` names who it is, once each answers, retrying the silent ones every
 * `intervalMs` for at most `rounds` rounds. A node whose dir is from another cluster may never
 * send those peers a Raft message (its image names other members, or only itself), so without
 * asking it would never hear that they refuse it. Only a node with a cluster id asks: one
 * without can't be refused, and learns its id from the cluster it joins.
 */
export async function probeNamedPeers(
  peers: ReadonlyMap<NodeId, string>, port: PeerProbePort, rounds = 60, intervalMs = 1_000,
): Promise<void> {
  const pending = new Map(peers);
  for (let round = 0; round < rounds && pending.size > 0 && port.running(); round += 1) {
    await Promise.all([...pending].map(async ([id, address]) => {
      const answer = await port.identify(address);
      if (answer.kind === 'unanswered' || !port.running()) return;
      pending.delete(id);
      if (answer.kind === 'refused') port.refused(id, answer.clusterId);
      else port.answered(id);
    }));
    if (pending.size > 0) await port.sleep(intervalMs);
  }
}
