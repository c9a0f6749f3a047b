import type { NodeId } from '../raft/index.js';

/**
 * Decides when this node, not its peers, is the one in the wrong cluster: peers that refused
 * our calls as another cluster's are remembered until they accept something from us again.
 * One misconfigured peer must not stop a healthy node, so only a strict majority of the other
 * members refusing (all naming clusters other than ours) counts as "this dir is foreign".
 */
export class ForeignClusterWatch {
  readonly #self: NodeId;
  readonly #refusals = new Map<NodeId, string>();

  constructor(self: NodeId) {
    this.#self = self;
  }

  /**
   * Records that `peer` refused us as a member of cluster `theirs`. Answers true when it is
   * newly known (worth one log line).
   */
  refused(peer: NodeId, theirs: string): boolean {
    const known = this.#refusals.get(peer) === theirs;
    this.#refusals.set(peer, theirs);
    return !known;
  }

  /** `peer` accepted a message from us (or sent one we took): it is not of another cluster. */
  accepted(peer: NodeId): void {
    this.#refusals.delete(peer);
  }

  /**
   * The cluster most refusing members belong to, when a strict majority of the other
   * `members` refuse us; null otherwise.
   */
  majorityCluster(members: readonly NodeId[]): string | null {
    const others = members.filter((id) => id !== this.#self);
    const counts = new Map<string, number>();
    let refusing = 0;
    for (const id of others) {
      const theirs = this.#refusals.get(id);
      if (theirs === undefined) continue;
      refusing += 1;
      counts.set(theirs, (counts.get(theirs) ?? 0) + 1);
    }
    if (others.length === 0 || refusing * 2 <= others.length) return null;
    return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  }
}

/** The one line a node whose dir is from another cluster exits with. */
export function foreignDirLine(self: NodeId, ours: string, theirs: string): string {
  return `${self}'s data dir belongs to cluster ${ours} but its peers are cluster ${theirs}: ` +
    'this dir is from another cluster; wipe it to join as a new node, see "Replacing a failed ' +
    'node" in docs/operations.md';
}
