import { ChronosError } from '../lib/index.js';
import type { CoreState } from './core-state.js';
import { majority } from './quorum.js';
import { broadcastHeartbeat } from './replication.js';
import type { NodeId } from './types.js';

/** A new leader may not serve reads until it commits in its term (thesis §6.4 step 1). */
export function committedInCurrentTerm(state: CoreState): boolean {
  return state.log.term(state.log.committed) === state.term;
}

/** Hands a confirmed read to the local driver or back to the follower that asked. */
function deliverRead(state: CoreState, requestId: number, from: NodeId, index: number): void {
  if (from === state.id) {
    state.readStates.push({ requestId, index });
    return;
  }
  state.send({
    type: 'readIndexResponse', from: state.id, to: from, term: state.term, requestId,
    readIndex: index,
  });
}

/** Refuses a read: a follower gets a response with index 0; returns the refusal reason. */
function refuseRead(state: CoreState, requestId: number, from: NodeId, why: string): string {
  if (from !== state.id) {
    state.send({
      type: 'readIndexResponse', from: state.id, to: from, term: state.term, requestId,
      readIndex: 0,
    });
  }
  return why;
}

/** Leader: starts a ReadIndex round for a local or forwarded read; null or why it refused. */
export function leaderRead(state: CoreState, requestId: number, from: NodeId): string | null {
  if (!committedInCurrentTerm(state)) {
    if (state.readsAwaitingCommit.length >= state.config.maxPendingReads) {
      return refuseRead(state, requestId, from, 'too many reads waiting for the first commit');
    }
    state.readsAwaitingCommit.push({ requestId, from });
    return null;
  }
  if (state.voters.length === 1 && state.isVoter()) {
    deliverRead(state, requestId, from, state.log.committed);
    return null;
  }
  if (state.lease.holds(state.term)) {
    state.leaderReads.lease += 1;
    deliverRead(state, requestId, from, state.log.committed);
    return null;
  }
  if (state.reads.full()) return refuseRead(state, requestId, from, 'too many reads in flight');
  const { round, started } = state.reads.add(requestId, state.log.committed, from);
  if (started) {
    state.lease.roundStarted(round);
    broadcastHeartbeat(state, round);
  }
  return null;
}

/** Public entry for a local read on the leader: refusals become UNAVAILABLE errors. */
export function localLeaderRead(state: CoreState, requestId: number): void {
  const refusal = leaderRead(state, requestId, state.id);
  if (refusal !== null) {
    throw new ChronosError('UNAVAILABLE', `read ${requestId} refused on ${state.id}: ${refusal}`,
      { details: { leader: state.id } });
  }
}

/** Serves every read whose heartbeat round a quorum has acknowledged, and renews the lease. */
export function confirmReads(state: CoreState): void {
  const round = quorumReadAck(state);
  state.lease.confirmed(round);
  const confirmed = state.reads.takeConfirmed((pending) => pending <= round);
  state.leaderReads.round += confirmed.length;
  for (const read of confirmed) deliverRead(state, read.requestId, read.from, read.index);
}

/** The newest heartbeat round a majority of voters (this leader included) acknowledged. */
function quorumReadAck(state: CoreState): number {
  const acks = state.voters.map((id) =>
    (id === state.id ? Number.MAX_SAFE_INTEGER : state.progress.get(id)?.readAck ?? 0));
  acks.sort((a, b) => b - a);
  return acks[majority(state.voters.length) - 1] ?? 0;
}

/** Called when commit advances on a leader: starts reads that waited for a term commit. */
export function releaseReadsAwaitingCommit(state: CoreState): void {
  if (state.readsAwaitingCommit.length === 0 || !committedInCurrentTerm(state)) return;
  const waiting = state.readsAwaitingCommit.splice(0, state.readsAwaitingCommit.length);
  for (const read of waiting) leaderRead(state, read.requestId, read.from);
}

/** Drops reads a deposed leader can no longer confirm; requesters time out and retry. */
export function dropPendingReads(state: CoreState): void {
  state.reads.clear();
  state.readsAwaitingCommit.length = 0;
}
