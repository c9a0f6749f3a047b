import { assert, assertNever, ChronosError } from '../lib/index.js';
import type { Random } from '../lib/index.js';
import { resolveRaftConfig } from './config.js';
import type { RaftConfig } from './config.js';
import { CoreState } from './core-state.js';
import { becomeFollower, campaign, handleVote, handleVoteResponse } from './election.js';
import { encodeMembership, membershipChangeProblem } from './membership.js';
import type { AppendRequest, RaftMessage } from './messages.js';
import { majority } from './quorum.js';
import { committedInCurrentTerm, leaderRead, localLeaderRead } from './reads.js';
import { mayPrecedePersist } from './ready.js';
import type { RaftRole, RaftStatus, Ready, RestoredState } from './ready.js';
import {
  appendLocal, broadcastCommit, flushAppends, broadcastHeartbeat, handleAppend, handleAppendResponse, handleSnapshot,
  maybeCommit, sendAppend, sendTimeoutNow,
} from './replication.js';
import type { Entry, Membership, NodeId, SnapshotMeta } from './types.js';

/** Committed entries handed out per Ready, so one Ready never holds an unbounded batch. */
const COMMITTED_ENTRIES_PER_READY_MAX = 1024;

/**
 * A pure, deterministic Raft node (etcd-raft style): ticks and messages go in, a Ready comes
 * out. No timers, I/O or ambient randomness: the driver persists, sends, applies, advances.
 */
export class RaftCore {
  readonly #state: CoreState;
  /** A Ready was handed out and not yet advanced. */
  #readyOutstanding = false;
  /** The last entry handed to the driver to apply since the outstanding Ready (0: none). */
  #handedThrough = 0;

  constructor(config: RaftConfig, restored: RestoredState, random: Random) {
    this.#state = new CoreState(resolveRaftConfig(config), restored, random);
    this.#state.resetElectionTimer();
  }

  /** One logical clock tick (CHRONOS_RAFT_TICK_MS in production). */
  tick(): void {
    const state = this.#state;
    if (state.ticksSinceStart < state.config.electionTicksMin) state.ticksSinceStart += 1;
    if (state.role === 'Leader') {
      this.#tickLeader();
      return;
    }
    state.electionElapsedTicks += 1;
    if (state.electionElapsedTicks >= state.electionTimeoutTicks && state.isVoter()) {
      state.electionElapsedTicks = 0;
      campaign(state, false);
    }
  }

  #tickLeader(): void {
    const state = this.#state;
    state.heartbeatElapsedTicks += 1;
    state.electionElapsedTicks += 1;
    for (const [id, progress] of state.progress) {
      if (id === state.id || progress.state !== 'snapshot') continue;
      progress.snapshotElapsedTicks += 1;
      // A lost snapshot would stall the follower forever: retry after an election timeout.
      if (progress.snapshotElapsedTicks > state.config.electionTicksMin) {
        progress.becomeProbe(progress.match + 1);
      }
    }
    if (state.electionElapsedTicks >= state.config.electionTicksMin) {
      state.electionElapsedTicks = 0;
      if (state.config.checkQuorum && !this.#quorumActive()) {
        becomeFollower(state, state.term, null);
        return;
      }
      state.transferee = null;
    }
    if (state.heartbeatElapsedTicks >= state.config.heartbeatTicks) {
      state.heartbeatElapsedTicks = 0;
      const round = state.reads.heartbeatRound();
      state.lease.roundStarted(round);
      broadcastHeartbeat(state, round);
    }
    this.#promoteCaughtUpLearner();
  }

  /**
   * A learner is a node being added: once it holds everything committed, it becomes a voter
   * (one change at a time, and only after this leader committed in its term, so the
   * membership it extends is settled).
   */
  #promoteCaughtUpLearner(): void {
    const state = this.#state;
    if (state.transferee !== null || state.pendingConfigIndex > state.log.committed) return;
    if (!committedInCurrentTerm(state)) return;
    const learner = state.learners.find((id) =>
      (state.progress.get(id)?.match ?? 0) >= state.log.committed);
    if (learner === undefined) return;
    this.#appendMembership({
      ...state.membership,
      voters: [...state.voters, learner],
      learners: state.learners.filter((id) => id !== learner),
    });
  }

  /** Check-quorum: true if a majority was heard from since the last round; resets marks. */
  #quorumActive(): boolean {
    const state = this.#state;
    let active = 0;
    for (const id of state.voters) {
      const progress = state.progress.get(id);
      if (id === state.id || progress?.recentActive === true) active += 1;
      if (progress !== undefined && id !== state.id) progress.recentActive = false;
    }
    return active >= majority(state.voters.length);
  }

  /** Feeds one message from a peer; term rules first, then the handler for its type. */
  step(message: RaftMessage): void {
    const state = this.#state;
    assert(message.to === state.id, `message for ${message.to} stepped into ${state.id}`);
    if (message.term > state.term && !this.#stepHigherTerm(message)) return;
    if (message.term < state.term) {
      this.#answerStale(message);
      return;
    }
    switch (message.type) {
      case 'vote':
        handleVote(state, message);
        return;
      case 'voteResponse':
        handleVoteResponse(state, message);
        return;
      case 'append':
        this.#followLeader(message.from);
        handleAppend(state, message);
        return;
      case 'snapshot':
        this.#followLeader(message.from);
        handleSnapshot(state, message);
        return;
      case 'appendResponse':
        handleAppendResponse(state, message);
        this.#stepDownIfRemoved();
        return;
      case 'timeoutNow':
        if (state.role !== 'Leader') campaign(state, true);
        return;
      case 'readIndex':
        if (state.role === 'Leader') leaderRead(state, message.requestId, message.from);
        else this.#answerStale(message);
        return;
      case 'readIndexResponse': {
        // A refusal (index 0) leaves the group's reads to time out and be retried.
        const served = state.forwardedReads.take(message.requestId);
        if (message.readIndex > 0) {
          for (const requestId of served) state.readStates.push({ requestId, index: message.readIndex });
        }
        return;
      }
      default:
        assertNever(message, 'raft message');
    }
  }

  /** A leader whose removal committed hands over by stepping down (thesis §4.2.2). */
  #stepDownIfRemoved(): void {
    const state = this.#state;
    if (state.role === 'Leader' && !state.isVoter() &&
      state.pendingConfigIndex <= state.log.committed) {
      becomeFollower(state, state.term, null);
    }
  }

  /** Returns false when the message must be dropped after answering it. */
  #stepHigherTerm(message: RaftMessage): boolean {
    const state = this.#state;
    if (message.type === 'vote') {
      if (state.ignoresCampaigns() && !message.leadershipTransfer) {
        state.send({
          type: 'voteResponse', from: state.id, to: message.from, term: state.term,
          preVote: message.preVote, granted: false, recovering: state.recovering,
        });
        return false;
      }
      if (message.preVote) return true;
      becomeFollower(state, message.term, null);
      return true;
    }
    if (message.type === 'voteResponse' && message.preVote && message.granted) return true;
    const leader = message.type === 'append' || message.type === 'snapshot' ||
      message.type === 'timeoutNow' ? message.from : null;
    becomeFollower(state, message.term, leader);
    return true;
  }

  /** Requests from an older term still get one answer, carrying our term. */
  #answerStale(message: RaftMessage): void {
    const state = this.#state;
    const envelope = { from: state.id, to: message.from, term: state.term };
    switch (message.type) {
      case 'vote':
        state.send({
          ...envelope, type: 'voteResponse', preVote: message.preVote, granted: false,
          recovering: state.recovering,
        });
        return;
      case 'append':
      case 'snapshot':
        state.send({
          ...envelope, type: 'appendResponse', success: false, matchIndex: 0,
          rejectHintIndex: 0, rejectHintTerm: 0, readContext: 0, recovering: state.recovering,
        });
        return;
      case 'readIndex':
        state.send({ ...envelope, type: 'readIndexResponse', requestId: message.requestId,
          readIndex: 0 });
        return;
      case 'voteResponse':
      case 'appendResponse':
      case 'timeoutNow':
      case 'readIndexResponse':
        return;
      default:
        assertNever(message, 'raft message');
    }
  }

  #followLeader(leader: NodeId): void {
    const state = this.#state;
    assert(state.role !== 'Leader', `two leaders in term ${state.term}`);
    if (state.role !== 'Follower') becomeFollower(state, state.term, leader);
    state.leader = leader;
    state.electionElapsedTicks = 0;
  }

  #notLeader(): ChronosError {
    const leader = this.#state.leader;
    return new ChronosError('NOT_LEADER',
      `node ${this.#state.id} is not the leader${leader === null ? '' : `; leader is ${leader}`}`,
      { details: { leader } });
  }

  #assertCanPropose(): void {
    const state = this.#state;
    if (state.role !== 'Leader') throw this.#notLeader();
    if (state.transferee !== null) {
      throw new ChronosError('UNAVAILABLE',
        `leadership transfer from ${state.id} to ${state.transferee} in progress`,
        { details: { leader: state.id } });
    }
  }

  /** Appends a command on the leader; returns its log index. Throws NOT_LEADER elsewhere. */
  propose(data: Uint8Array): number {
    this.#assertCanPropose();
    return appendLocal(this.#state, 'command', data);
  }

  /**
   * Proposes a membership change as a 'config' entry (effective at commit): one member added
   * (as learner or voter), removed, or promoted from learner, at a time.
   */
  proposeMembership(next: Membership): number {
    this.#assertCanPropose();
    const state = this.#state;
    if (state.pendingConfigIndex > state.log.committed) {
      throw new ChronosError('UNAVAILABLE', 'a membership change is already in progress',
        { details: { pendingConfigIndex: state.pendingConfigIndex } });
    }
    const problem = membershipChangeProblem(state.membership, next);
    if (problem !== null) throw new ChronosError('INVALID_ARGUMENT', problem);
    this.#assertRemovalLeavesCaughtUpMajority(next);
    return this.#appendMembership(next);
  }

  /**
   * A removal must leave a majority of the remaining voters holding everything committed (etcd's
   * strict reconfiguration check). Otherwise the new configuration may be unable to elect
   * anyone: voters that never caught up (new or wiped, so recovering) cannot outvote the ones
   * that hold the log, and the removed node that held more no longer campaigns.
   */
  #assertRemovalLeavesCaughtUpMajority(next: Membership): void {
    const state = this.#state;
    if (next.voters.length >= state.voters.length) return;
    const committed = state.log.committed;
    const caughtUp = next.voters.filter((id) =>
      id === state.id || (state.progress.get(id)?.match ?? 0) >= committed).length;
    if (caughtUp >= majority(next.voters.length)) return;
    throw new ChronosError('UNAVAILABLE', `removing a voter now would leave ${caughtUp} of ` +
      `${next.voters.length} remaining voters holding the committed log (index ${committed}); ` +
      'a majority must: bring the lagging members up to date first',
    { details: { caughtUp, remainingVoters: next.voters.length, commitIndex: committed } });
  }

  #appendMembership(next: Membership): number {
    const index = appendLocal(this.#state, 'config', encodeMembership(next));
    this.#state.pendingConfigIndex = index;
    // Acknowledgements counted under the old members prove nothing about the new majority.
    this.#state.lease.revoke();
    return index;
  }

  /** Highest index known replicated on `id` (leader only; null elsewhere or for non-members). */
  matchIndexOf(id: NodeId): number | null {
    const state = this.#state;
    if (state.role !== 'Leader') return null;
    if (id === state.id) return state.log.lastIndex();
    return state.progress.get(id)?.match ?? null;
  }

  /** Requests a linearizable read point; it arrives later as a ReadState in a Ready. */
  readIndex(requestId: number): void {
    const state = this.#state;
    if (state.role === 'Leader') {
      localLeaderRead(state, requestId);
      return;
    }
    if (state.leader === null) throw this.#notLeader();
    if (!state.forwardedReads.add(requestId, state.leader, state.term)) return;
    state.send({ type: 'readIndex', from: state.id, to: state.leader, term: state.term,
      requestId });
  }

  /** Hands leadership to `to`: catch it up, then TimeoutNow. Proposals pause meanwhile. */
  transferLeadership(to: NodeId): void {
    const state = this.#state;
    if (state.role !== 'Leader') throw this.#notLeader();
    if (to === state.id) return;
    const progress = state.progress.get(to);
    if (progress === undefined || !state.voters.includes(to)) {
      throw new ChronosError('INVALID_ARGUMENT', `cannot transfer leadership to ${to}: ` +
        'not a voter', { details: { node: to } });
    }
    state.transferee = to;
    state.lease.revokeForTerm(state.term);
    state.electionElapsedTicks = 0;
    if (progress.match === state.log.lastIndex()) sendTimeoutNow(state, to);
    else sendAppend(state, to, true);
  }

  /** Starts an election now (with pre-vote when enabled). */
  campaign(): void {
    campaign(this.#state, false);
  }

  status(): RaftStatus {
    const state = this.#state;
    return {
      id: state.id, role: state.role, term: state.term, leader: state.leader,
      commitIndex: state.log.committed, appliedIndex: state.log.applied,
      lastIndex: state.log.lastIndex(), firstIndex: state.log.firstIndex(),
      voters: state.voters, learners: state.learners, membership: state.membership,
      recovering: state.recovering,
    };
  }

  /** Reads this core served as leader, under its read lease and by heartbeat rounds (monotonic). */
  leaderReads(): { readonly lease: number; readonly round: number } {
    return { ...this.#state.leaderReads };
  }

  /** True once the leader may serve ReadIndex (it committed an entry of its term). */
  canServeReads(): boolean {
    return this.#state.role === 'Leader' && committedInCurrentTerm(this.#state);
  }

  #hardStateChanged(): boolean {
    const current = this.#state.hardState();
    const persisted = this.#state.persistedHardState;
    return current.term !== persisted.term || current.vote !== persisted.vote ||
      current.commit !== persisted.commit || current.recovering !== persisted.recovering;
  }

  hasReady(): boolean {
    const state = this.#state;
    return state.messages.length > 0 || state.readStates.length > 0 ||
      state.log.hasUnstable() || this.#hardStateChanged() ||
      state.log.committed > Math.max(state.log.applied, state.log.snapshotIndex);
  }

  /** Collects the work for the driver; call advance() with it when done. */
  ready(): Ready {
    assert(!this.#readyOutstanding, 'ready() called again before advance()');
    const state = this.#state;
    flushAppends(state);
    const hardState = this.#hardStateChanged() ? state.hardState() : null;
    const entries = state.log.unstableEntries();
    const snapshot = state.log.unstableSnapshot;
    const persisted = state.persistedHardState;
    const mustSync = entries.length > 0 || snapshot !== null || (hardState !== null &&
      (hardState.term !== persisted.term || hardState.vote !== persisted.vote ||
        hardState.recovering !== persisted.recovering ||
        state.lastMembershipIndex() > persisted.commit));
    const ready: Ready = {
      hardState, entries, snapshot, mustSync,
      messages: state.messages,
      committedEntries: state.log.nextCommitted(COMMITTED_ENTRIES_PER_READY_MAX),
      readStates: state.readStates,
    };
    this.#handedThrough = ready.committedEntries.at(-1)?.index ?? 0;
    state.messages = [];
    state.readStates = [];
    // The read rounds' heartbeats are with the driver now: a read arriving later needs a new one.
    state.reads.seal();
    state.forwardedReads.seal();
    this.#readyOutstanding = true;
    return ready;
  }

  /**
   * Takes out of the next Ready the messages that may leave before anything is durable (a
   * leader's appends, `mayPrecedePersist`): a driver whose fsync is in flight sends the entries
   * proposed meanwhile to the followers now instead of after it (thesis §10.2.1). The entries
   * themselves stay for the next Ready to persist; the leader counts itself only after that.
   */
  takeEarlyMessages(): AppendRequest[] {
    const state = this.#state;
    flushAppends(state);
    const term = this.durableTerm;
    const early: AppendRequest[] = [];
    const later: RaftMessage[] = [];
    for (const message of state.messages) {
      if (mayPrecedePersist(message, term)) early.push(message);
      else later.push(message);
    }
    if (early.length === 0) return early;
    state.messages = later;
    // A read round's heartbeats are out now: a read arriving later must start its own round,
    // or answers to heartbeats sent before it arrived would confirm it.
    state.reads.seal();
    return early;
  }

  /**
   * While a Ready's persist is in flight: committed entries this node already holds durably
   * that neither that Ready nor an earlier call handed out, for the driver to apply now rather
   * than after a persist they do not depend on. Nothing while the outstanding Ready itself
   * hands out entries beyond the durable index (those apply after its persist, and these
   * would have to follow them).
   */
  takeDurableCommitted(): Entry[] {
    assert(this.#readyOutstanding, 'takeDurableCommitted() outside a Ready');
    const log = this.#state.log;
    const from = Math.max(log.applied, log.snapshotIndex, this.#handedThrough) + 1;
    const through = Math.min(log.committed, log.stableIndex());
    if (from > through) return [];
    const entries = log.slice(from, Math.min(through + 1, from + COMMITTED_ENTRIES_PER_READY_MAX));
    this.#handedThrough = entries.at(-1)?.index ?? this.#handedThrough;
    return entries;
  }

  /** The role this core plays now (cheaper than status() on a hot path). */
  get role(): RaftRole {
    return this.#state.role;
  }

  /** The last index this node has made durable (advance() moves it). */
  get durableIndex(): number {
    return this.#state.log.stableIndex();
  }

  /** The term on disk (what the driver last persisted): appends of that term may precede a persist. */
  get durableTerm(): number {
    return this.#state.persistedHardState.term;
  }

  /** The driver persisted, sent and applied everything in `ready`. */
  advance(ready: Ready): void {
    assert(this.#readyOutstanding, 'advance() without ready()');
    this.#readyOutstanding = false;
    const log = this.#state.log;
    if (ready.hardState !== null) this.#state.persistedHardState = ready.hardState;
    if (ready.snapshot !== null) {
      log.snapshotPersisted(ready.snapshot.meta.index);
      log.snapshotApplied(ready.snapshot.meta.index);
    }
    // Steps may run while the driver persists (a leader's answers during its fsync): the last
    // persisted entry the log still holds is where durability now reaches.
    let lastEntry: Entry | undefined;
    for (let at = ready.entries.length - 1; at >= 0 && lastEntry === undefined; at -= 1) {
      const entry = ready.entries[at];
      if (entry !== undefined && log.term(entry.index) === entry.term) lastEntry = entry;
    }
    if (lastEntry !== undefined) {
      log.stableTo(lastEntry.index, lastEntry.term);
      // Durable now: the leader's own copy may complete a quorum (alone, in a one-voter cluster).
      if (maybeCommit(this.#state)) broadcastCommit(this.#state);
    }
    const lastApplied = ready.committedEntries[ready.committedEntries.length - 1];
    if (lastApplied !== undefined) {
      assert(ready.committedEntries[0]?.index === log.applied + 1 ||
        ready.committedEntries[0]?.index === log.snapshotIndex + 1, 'applied entries skipped');
      log.appliedTo(lastApplied.index);
    }
    // Entries taken with takeDurableCommitted() while the persist ran were applied too.
    if (this.#handedThrough > log.applied) log.appliedTo(this.#handedThrough);
    this.#handedThrough = 0;
  }

  /**
   * The driver snapshotted the state machine at applied `index`; drops the log up to it and
   * returns the metadata to persist with the image (null if already covered).
   */
  compact(index: number, data: Uint8Array): SnapshotMeta | null {
    const state = this.#state;
    if (index <= state.log.snapshotIndex) {
      // A restarted node knows its last snapshot's meta (from the WAL) but not the image; the
      // state at that same index is the image, and without it a lagging follower can't be served.
      if (index === state.log.snapshotIndex && state.snapshotData === null) state.snapshotData = data;
      return null;
    }
    assert(index <= state.log.applied, `compact(${index}) beyond applied ${state.log.applied}`);
    const term = state.log.term(index);
    assert(term !== undefined, `compact(${index}) of a missing entry`);
    const meta: SnapshotMeta = { index, term, membership: state.membershipAt(index) };
    state.log.compact(index);
    state.compactMembership(index);
    state.snapshotMeta = meta;
    state.snapshotData = data;
    return meta;
  }

  /** The in-memory log after the snapshot (for the simulation's checkers and tests). */
  logView(): { snapshotIndex: number; snapshotTerm: number; entries: readonly Entry[] } {
    const log = this.#state.log;
    return { snapshotIndex: log.snapshotIndex, snapshotTerm: log.snapshotTerm,
      entries: log.allEntries() };
  }
}
