import { assert } from '../lib/index.js';
import type { CoreState } from './core-state.js';
import type { AppendRequest, AppendResponse, SnapshotRequest } from './messages.js';
import { Progress } from './progress.js';
import { committableIndex } from './quorum.js';
import { confirmReads, releaseReadsAwaitingCommit } from './reads.js';
import type { Entry, EntryType, NodeId } from './types.js';

/** Consecutive acknowledgements without progress before a pipeline is assumed to have lost
 * a message and falls back to probing (heartbeat replies arrive once per heartbeat). */
const STALLED_RESPONSES_MAX = 2;

function progressOf(state: CoreState, to: NodeId): Progress {
  const progress = state.progress.get(to);
  assert(progress !== undefined, `no progress for ${to}`);
  return progress;
}

/** Sends the next append to `to` if its state allows; returns whether a message went out. */
export function sendAppend(state: CoreState, to: NodeId, allowEmpty: boolean): boolean {
  // A voter removed by a config entry committed earlier in this step has no progress left.
  const progress = state.progress.get(to);
  if (progress === undefined || progress.state === 'snapshot') return false;
  if (progress.state === 'probe' && progress.probeSent) return false;
  if (progress.state === 'replicate' && progress.inflightFull(state.config.maxInflightAppends)) {
    return false;
  }
  const prevLogIndex = progress.next - 1;
  assert(prevLogIndex <= state.log.lastIndex(), `next ${progress.next} beyond the log`);
  const prevLogTerm = state.log.term(prevLogIndex);
  if (prevLogTerm === undefined) {
    sendSnapshot(state, to, progress);
    return true;
  }
  const entries = state.log.slice(progress.next,
    progress.next + state.config.maxEntriesPerAppend);
  const last = entries[entries.length - 1];
  if (last === undefined && !allowEmpty) return false;
  state.send({
    type: 'append', from: state.id, to, term: state.term, prevLogIndex, prevLogTerm, entries,
    commit: state.log.committed, readContext: 0, commitOnly: false,
  });
  if (progress.state === 'replicate' && last !== undefined) progress.sentEntries(last.index);
  if (progress.state === 'probe') progress.probeSent = true;
  return true;
}

function sendSnapshot(state: CoreState, to: NodeId, progress: Progress): void {
  const meta = state.snapshotMeta;
  const data = state.snapshotData;
  assert(meta !== null && data !== null, `follower ${to} needs a snapshot we do not hold`);
  state.send({ type: 'snapshot', from: state.id, to, term: state.term, meta, data });
  progress.becomeSnapshot(meta.index);
}

/** Fills the pipelining window of `to` (bounded by the window size). */
export function sendAppendsToFill(state: CoreState, to: NodeId): void {
  for (let sent = 0; sent <= state.config.maxInflightAppends; sent += 1) {
    if (!sendAppend(state, to, false)) return;
    if (state.progress.get(to)?.state !== 'replicate') return;
  }
}

/**
 * A heartbeat is an empty append anchored at the follower's match index, so it never
 * rejects because pipelined appends are still in flight.
 */
export function sendHeartbeat(state: CoreState, to: NodeId, readContext: number, commitOnly = false): void {
  const progress = progressOf(state, to);
  progress.retryAllowed = true;
  const knownTerm = state.log.term(progress.match);
  const prevLogIndex = knownTerm === undefined ? 0 : progress.match;
  state.send({
    type: 'append', from: state.id, to, term: state.term, prevLogIndex,
    prevLogTerm: knownTerm ?? 0, entries: [], commit: state.log.committed, readContext, commitOnly,
  });
}

export function broadcastHeartbeat(state: CoreState, readContext: number): void {
  for (const to of state.replicationTargets()) sendHeartbeat(state, to, readContext);
}

/** Leader: appends one entry of its term and starts replicating it. */
export function appendLocal(state: CoreState, type: EntryType, data: Uint8Array): number {
  assert(state.role === 'Leader', 'only a leader appends locally');
  const entry: Entry = { index: state.log.lastIndex() + 1, term: state.term, type, data };
  state.log.append([entry]);
  state.appendsDue = true;
  if (maybeCommit(state)) broadcastCommit(state);
  return entry.index;
}

/**
 * Sends the followers the entries appended since the last flush: proposals stepped together
 * (a loop turn, or everything that arrived during an fsync) leave as one append per follower
 * instead of one each, so the in-flight window holds batches, not single entries.
 */
export function flushAppends(state: CoreState): void {
  if (!state.appendsDue) return;
  state.appendsDue = false;
  if (state.role !== 'Leader') return;
  for (const to of state.replicationTargets()) sendAppendsToFill(state, to);
}

/**
 * Commits the quorum match index if it is from the current term (Raft §5.4.2). The leader
 * counts only what it has made durable: its appends go out while its own fsync runs (Raft
 * thesis §10.2.1), so an entry it has not persisted may be on followers already.
 */
export function maybeCommit(state: CoreState): boolean {
  if (state.role !== 'Leader' || state.voters.length === 0) return false;
  const matches = state.voters.map((id) =>
    id === state.id ? state.log.stableIndex() : state.progress.get(id)?.match ?? 0);
  const index = committableIndex(matches, (at) => state.log.term(at), state.term);
  if (index <= state.log.committed) return false;
  commitTo(state, index);
  return true;
}

/** Advances commit and applies committed membership changes, in log order. */
export function commitTo(state: CoreState, index: number): void {
  const previous = state.log.committed;
  if (!state.log.commitTo(index)) return;
  for (let at = Math.max(previous + 1, state.log.firstIndex()); at <= index; at += 1) {
    const entry = state.log.entry(at);
    if (entry?.type === 'config') {
      state.applyMembership(at, entry.data);
      onMembershipCommitted(state);
    }
  }
  if (state.role === 'Leader') releaseReadsAwaitingCommit(state);
}

function onMembershipCommitted(state: CoreState): void {
  if (state.role !== 'Leader') return;
  const members = [...state.voters, ...state.learners];
  for (const id of members) {
    if (!state.progress.has(id)) {
      state.progress.set(id, new Progress(state.log.lastIndex() + 1));
    }
  }
  for (const id of [...state.progress.keys()]) {
    if (!members.includes(id) && id !== state.id) state.progress.delete(id);
  }
}

/**
 * Lets followers learn a new commit index without waiting for the next heartbeat. A follower
 * known to hold the whole log gets a commit notice it need not answer: its answer would change
 * nothing here. One that is behind, probed or just added answers as usual, since answers are
 * what move its replication on (and retry lost appends between heartbeats).
 */
export function broadcastCommit(state: CoreState): void {
  for (const to of state.replicationTargets()) {
    if (sendAppend(state, to, false)) continue;
    const progress = progressOf(state, to);
    if (progress.state === 'snapshot') continue;
    const caughtUp = progress.state === 'replicate' && progress.match === state.log.lastIndex();
    sendHeartbeat(state, to, 0, caughtUp);
  }
}

/** Follower: AppendEntries consistency check, conflict truncation and commit (Figure 2). */
export function handleAppend(state: CoreState, message: AppendRequest): void {
  const reply = (success: boolean, matchIndex: number, hintIndex: number, hintTerm: number) => {
    // Only an empty append is a notice: entries are always acknowledged, whatever the flag says.
    if (success && message.commitOnly && message.entries.length === 0) return;
    const response: AppendResponse = {
      type: 'appendResponse', from: state.id, to: message.from, term: state.term, success,
      matchIndex, rejectHintIndex: hintIndex, rejectHintTerm: hintTerm,
      readContext: message.readContext, recovering: state.recovering,
    };
    state.send(response);
  };
  const committed = state.log.committed;
  let prevLogIndex = message.prevLogIndex;
  let prevLogTerm = message.prevLogTerm;
  let entries = message.entries;
  if (prevLogIndex < committed) {
    // Entries up to our commit already match the leader's (leader completeness): skip them.
    if (prevLogIndex + entries.length <= committed) {
      finishRecoveryIfCaughtUp(state, message.commit, committed);
      reply(true, committed, 0, 0);
      return;
    }
    entries = entries.filter((entry) => entry.index > committed);
    prevLogIndex = committed;
    prevLogTerm = state.log.term(committed) ?? -1;
  }
  if (state.log.matchTerm(prevLogIndex, prevLogTerm)) {
    const lastNewIndex = state.log.appendAfter(prevLogIndex, entries);
    commitTo(state, Math.min(message.commit, lastNewIndex));
    finishRecoveryIfCaughtUp(state, message.commit, lastNewIndex);
    reply(true, lastNewIndex, 0, 0);
    return;
  }
  if (prevLogIndex > state.log.lastIndex()) {
    reply(false, prevLogIndex, state.log.lastIndex() + 1, 0);
    return;
  }
  const conflictTerm = state.log.term(prevLogIndex);
  assert(conflictTerm !== undefined, 'conflict below the snapshot');
  reply(false, prevLogIndex, state.log.firstIndexOfTerm(prevLogIndex), conflictTerm);
}

/**
 * A recovering follower is caught up once its log matches the leader's through the leader's
 * commit index and that index is of the leader's term: the leader committed in its own term,
 * so everything committed before its term is in that prefix, and everything committed since
 * was counted only on acknowledgements the leader received after our reset.
 */
function finishRecoveryIfCaughtUp(state: CoreState, leaderCommit: number, matched: number): void {
  if (!state.recovering || leaderCommit > matched) return;
  if (state.log.term(leaderCommit) === state.term) state.recovering = false;
}

/** Follower: installs a leader snapshot unless our log already covers it. */
export function handleSnapshot(state: CoreState, message: SnapshotRequest): void {
  const { meta } = message;
  const reply = (matchIndex: number): void => {
    state.send({
      type: 'appendResponse', from: state.id, to: message.from, term: state.term,
      success: true, matchIndex, rejectHintIndex: 0, rejectHintTerm: 0, readContext: 0,
      recovering: state.recovering,
    });
  };
  if (meta.index <= state.log.committed) {
    reply(state.log.committed);
    return;
  }
  if (state.log.matchTerm(meta.index, meta.term)) {
    commitTo(state, meta.index);
    reply(meta.index);
    return;
  }
  state.log.restore({ meta, data: message.data });
  state.snapshotMeta = meta;
  state.snapshotData = message.data;
  state.resetMembership(meta.membership);
  reply(meta.index);
}

/** Leader: reacts to an append/snapshot acknowledgement or rejection. */
export function handleAppendResponse(state: CoreState, message: AppendResponse): void {
  const progress = state.progress.get(message.from);
  if (state.role !== 'Leader' || progress === undefined) return;
  progress.recentActive = true;
  if (message.readContext > progress.readAck) {
    progress.readAck = message.readContext;
    confirmReads(state);
  }
  // A recovering follower refusing an index we think it holds lost what it acknowledged
  // (or the refusal is older than its acknowledgement: probing again costs one round trip).
  if (!message.success && message.recovering && message.rejectHintIndex <= progress.match) {
    restartAfterDataLoss(state, message, progress);
    return;
  }
  if (!message.success) {
    handleReject(state, message, progress);
    return;
  }
  if (progress.maybeUpdate(message.matchIndex)) {
    progress.stalledResponses = 0;
    if (progress.state !== 'replicate') progress.becomeReplicate();
    if (maybeCommit(state)) broadcastCommit(state);
    if (state.transferee === message.from && progress.match === state.log.lastIndex()) {
      sendTimeoutNow(state, message.from);
    }
    sendAppendsToFill(state, message.from);
    return;
  }
  if (progress.state === 'snapshot' || progress.match >= state.log.lastIndex()) return;
  if (!progress.retryAllowed) return;
  progress.retryAllowed = false;
  progress.stalledResponses += 1;
  if (progress.state === 'probe') {
    progress.probeSent = false;
    sendAppend(state, message.from, true);
  } else if (progress.stalledResponses >= STALLED_RESPONSES_MAX) {
    progress.becomeProbe(progress.match + 1);
    sendAppend(state, message.from, true);
  }
}

function handleReject(state: CoreState, message: AppendResponse, progress: Progress): void {
  // A rejection carries the prevLogIndex it rejected in matchIndex.
  const rejected = message.matchIndex;
  if (rejected <= progress.match || progress.state === 'snapshot') return;
  if (progress.state === 'probe' && rejected !== progress.next - 1) return;
  progress.becomeProbe(retryIndexOf(state, message));
  sendAppend(state, message.from, true);
}

/** Where to probe next after a rejection, from the follower's hint (thesis §5.3). */
function retryIndexOf(state: CoreState, message: AppendResponse): number {
  let next = message.rejectHintIndex;
  if (message.rejectHintTerm > 0) {
    const ours = state.log.lastIndexOfTerm(message.rejectHintTerm);
    if (ours !== undefined) next = ours + 1;
  }
  return Math.max(1, Math.min(next, message.matchIndex, state.log.lastIndex() + 1));
}

/**
 * The follower lost entries it had acknowledged: our `match` for it is stale and must not
 * count toward any commit. Forget it and probe from the follower's hint.
 */
function restartAfterDataLoss(state: CoreState, message: AppendResponse, progress: Progress): void {
  progress.forgetMatch(0);
  progress.becomeProbe(retryIndexOf(state, message));
  sendAppend(state, message.from, true);
}

/** Tells a caught-up transfer target to campaign at once (thesis §3.10). */
export function sendTimeoutNow(state: CoreState, to: NodeId): void {
  state.send({ type: 'timeoutNow', from: state.id, to, term: state.term });
}
