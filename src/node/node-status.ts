import type { RaftStatus } from '../raft/index.js';
import type { Removal } from './removal.js';

/** Roles as the admin API and the guide spell them. */
export type NodeRole = 'Leader' | 'Follower' | 'Candidate';

/** What a running node reports about itself (the /health body and the metrics gauges). */
export interface NodeStatus {
  readonly role: NodeRole;
  readonly term: number;
  readonly leader: string | null;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  /** The node lost entries it had acknowledged (wiped or restored dir) and is catching up. */
  readonly recovering: boolean;
  /** The committed members: voters, and learners still catching up before promotion. */
  readonly voters: readonly string[];
  readonly learners: readonly string[];
  /** The cluster this node's dir belongs to; null until the cluster's birth reached it. */
  readonly clusterId: string | null;
  /** Present once this node's log shows it was removed from the cluster (removal.ts). */
  readonly removed?: Removal;
}


/** The admin API's view of a core's status, with storage's applied index. */
export function nodeStatusOf(
  status: RaftStatus, appliedIndex: number, clusterId: string | null, removal: Removal | null,
): NodeStatus {
  return {
    ...(removal === null ? {} : { removed: removal }),
    role: status.role === 'PreCandidate' ? 'Candidate' : status.role,
    term: status.term,
    leader: status.leader,
    commitIndex: status.commitIndex,
    appliedIndex,
    recovering: status.recovering,
    voters: status.voters,
    learners: status.learners,
    clusterId,
  };
}
