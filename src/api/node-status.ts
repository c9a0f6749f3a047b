import type { NodeRole, NodeStatus } from '../node/index.js';

export type { NodeRole, NodeStatus };

/** The `/health` body: the guide's keys first, in its order, then ours. */
export function healthBody(status: NodeStatus): string {
  // Built by hand so the key order is part of the contract, not an accident of object layout.
  const body = {
    status: 'ok',
    role: status.role,
    term: status.term,
    leader: status.leader,
    commit_index: status.commitIndex,
    applied_index: status.appliedIndex,
  };
  // Said only while true: the operator's sign that a replaced node has not caught up yet.
  const recovering = status.recovering ? { recovering: true } : {};
  // Said only once the node's log shows it was removed: why it has no leader, and never will.
  const removed = status.removed === undefined ? {} : { removed: true, removed_at_index: status.removed.index };
  // A removed node seldom hears its removal commit: the voters it names are those of the change
  // that removed it, as its answers to clients say, not the committed ones that still hold it.
  const voters = status.removed === undefined ? status.voters : [...status.removed.voters].sort();
  return JSON.stringify({
    ...body, ...recovering, voters, learners: status.learners, cluster_id: status.clusterId, ...removed,
  });
}

/** `chronos_raft_role` encodes the role as 0 follower, 1 candidate, 2 leader. */
export function roleGaugeValue(role: NodeRole): number {
  switch (role) {
    case 'Follower':
      return 0;
    case 'Candidate':
      return 1;
    case 'Leader':
      return 2;
  }
}
