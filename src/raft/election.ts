import { assert, assertNever } from '../lib/index.js';
import type { CoreState } from './core-state.js';
import type { VoteRequest, VoteResponse } from './messages.js';
import { Progress } from './progress.js';
import { voteOutcome } from './quorum.js';
import { dropPendingReads } from './reads.js';
import { appendLocal } from './replication.js';
import type { NodeId } from './types.js';

/** Clears leader/candidate state when the role changes. */
function resetRoleState(state: CoreState): void {
  state.progress.clear();
  state.votesGranted.clear();
  state.votesGrantedRecovering.clear();
  state.votesRejected.clear();
  state.transferee = null;
  dropPendingReads(state);
  state.lease.revoke();
  state.resetElectionTimer();
}

/** Steps down (or stays) as follower of `term`; a higher term clears the vote. */
export function becomeFollower(state: CoreState, term: number, leader: NodeId | null): void {
  assert(term >= state.term, `term went backwards ${state.term} -> ${term}`);
  if (term > state.term) {
    state.term = term;
    state.vote = null;
  }
  state.role = 'Follower';
  state.leader = leader;
  resetRoleState(state);
}

/** Starts an election: pre-vote first unless disabled or forced by leadership transfer. */
export function campaign(state: CoreState, leadershipTransfer: boolean): void {
  if (state.role === 'Leader' || !state.mayCampaign()) return;
  if (state.config.preVote && !leadershipTransfer) becomePreCandidate(state);
  else becomeCandidate(state, leadershipTransfer);
}

function requestVotes(state: CoreState, preVote: boolean, leadershipTransfer: boolean): void {
  state.votesGranted.add(state.id);
  if (state.recovering) state.votesGrantedRecovering.add(state.id);
  for (const to of state.otherVoters()) {
    state.send({
      type: 'vote', from: state.id, to, term: preVote ? state.term + 1 : state.term, preVote,
      lastLogIndex: state.log.lastIndex(), lastLogTerm: state.log.lastTerm(),
      leadershipTransfer, recovering: state.recovering,
    });
  }
  tallyVotes(state);
}

/** Pre-vote (thesis §9.6): ask whether we could win before disturbing anyone's term. */
function becomePreCandidate(state: CoreState): void {
  state.role = 'PreCandidate';
  state.leader = null;
  resetRoleState(state);
  requestVotes(state, true, false);
}

function becomeCandidate(state: CoreState, leadershipTransfer: boolean): void {
  state.term += 1;
  state.vote = state.id;
  state.role = 'Candidate';
  state.leader = null;
  resetRoleState(state);
  requestVotes(state, false, leadershipTransfer);
}

/** Takes leadership: fresh progress per voter and a noop so reads can be served soon. */
function becomeLeader(state: CoreState): void {
  assert(state.role === 'Candidate', 'only a candidate becomes leader');
  state.role = 'Leader';
  state.leader = state.id;
  // Only voters that were recovering too elected us (a fresh cluster, or every node restored
  // from backups): no node holds more than we do, so our log is the reference from now on.
  state.recovering = false;
  resetRoleState(state);
  for (const id of [...state.voters, ...state.learners]) {
    const progress = new Progress(state.log.lastIndex() + 1);
    if (id === state.id) progress.match = state.log.lastIndex();
    state.progress.set(id, progress);
  }
  // Any uncommitted config entry may still be pending, and the caught-up check of a removal
  // needs this term's commit index: allow no change until the noop commits.
  state.pendingConfigIndex = appendLocal(state, 'noop', new Uint8Array(0));
}

/**
 * Answers a (pre-)vote request of our term, or a pre-vote for a future term. A node that kept
 * its log never votes for one that lost it (recovering): that candidate may lack an entry it
 * once acknowledged. A recovering voter may vote; voteOutcome limits what its vote is worth.
 */
export function handleVote(state: CoreState, message: VoteRequest): void {
  const canVote = state.vote === message.from ||
    (state.vote === null && state.leader === null) ||
    (message.preVote && message.term > state.term);
  const granted = canVote && (state.recovering || !message.recovering) &&
    state.log.isUpToDate(message.lastLogIndex, message.lastLogTerm);
  if (granted && !message.preVote) {
    state.vote = message.from;
    state.electionElapsedTicks = 0;
  }
  const response: VoteResponse = {
    type: 'voteResponse', from: state.id, to: message.from,
    term: granted && message.preVote ? message.term : state.term,
    preVote: message.preVote, granted, recovering: state.recovering,
  };
  state.send(response);
}

/** Counts a (pre-)vote answer for the election we are running, if any. */
export function handleVoteResponse(state: CoreState, message: VoteResponse): void {
  const expected = message.preVote ? state.role === 'PreCandidate' : state.role === 'Candidate';
  if (!expected || !state.voters.includes(message.from)) return;
  // A granted pre-vote carries the term we would campaign in; anything else is stale.
  if (message.preVote && message.granted && message.term !== state.term + 1) return;
  if (!message.granted) {
    state.votesRejected.add(message.from);
  } else {
    state.votesGranted.add(message.from);
    if (message.recovering) state.votesGrantedRecovering.add(message.from);
  }
  tallyVotes(state);
}

function tallyVotes(state: CoreState): void {
  const granted = state.voters.filter((id) => state.votesGranted.has(id)).length;
  const rejected = state.voters.filter((id) => state.votesRejected.has(id)).length;
  // Only recovering voters grant a recovering candidate; it needs just a majority of them.
  const intact = state.recovering ? granted : state.voters.filter((id) =>
    state.votesGranted.has(id) && !state.votesGrantedRecovering.has(id)).length;
  const outcome = voteOutcome(state.voters.length, granted, rejected, intact);
  switch (outcome) {
    case 'won':
      if (state.role === 'PreCandidate') becomeCandidate(state, false);
      else if (state.role === 'Candidate') becomeLeader(state);
      return;
    case 'lost':
      becomeFollower(state, state.term, null);
      return;
    case 'pending':
      return;
    default:
      assertNever(outcome, 'vote outcome');
  }
}
