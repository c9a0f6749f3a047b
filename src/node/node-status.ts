import type { NodeStatus } from '../api/node-status.js';
import type { RaftStatus } from '../raft/index.js';

/** The admin API's view of a core's status, with storage's applied index. */
export function nodeStatusOf(status: RaftStatus, appliedIndex: number, clusterId: string | null): NodeStatus {
  return {
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
