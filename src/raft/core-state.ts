import { assert } from '../lib/index.js';
import type { Random } from '../lib/index.js';
import type { ResolvedRaftConfig } from './config.js';
import { decodeMembership } from './membership.js';
import type { RaftMessage } from './messages.js';
import type { Progress } from './progress.js';
import { RaftLog } from './raft-log.js';
import { ReadIndexQueue } from './read-index.js';
import { ReadLease } from './read-lease.js';
import { ForwardedReads } from './forwarded-reads.js';
import type { RaftRole, ReadState, RestoredState } from './ready.js';
import type { HardState, Membership, NodeId, SnapshotMeta } from './types.js';

/** A committed membership change still inside the log (needed to snapshot at any index). */
interface MembershipChange {
  readonly index: number;
  readonly membership: Membership;
}

/**
 * The mutable state of one core, shared by the election, replication and read helpers.
 * Internal to src/raft: only RaftCore's methods reach it.
 */
export class CoreState {
  readonly config: ResolvedRaftConfig;
  readonly random: Random;
  readonly log: RaftLog;
  /** Current term; never decreases. */
  term: number;
  vote: NodeId | null;
  /** See HardState.recovering. A node that never saw a term (a new or wiped dir) starts so. */
  recovering: boolean;
  role: RaftRole = 'Follower';
  leader: NodeId | null = null;
  /** The committed membership in effect. */
  membership: Membership;
  /** Membership as of the snapshot index; later committed changes are in `membershipChanges`. */
  baseMembership: Membership;
  membershipChanges: MembershipChange[] = [];
  /** Index of the newest config entry the leader proposed (one change at a time). */
  pendingConfigIndex = 0;
  electionElapsedTicks = 0;
  heartbeatElapsedTicks = 0;
  /** Ticks since this core was built, counted up to electionTicksMin (see ignoresCampaigns). */
  ticksSinceStart = 0;
  /** This election's randomised timeout, drawn again on every reset. */
  electionTimeoutTicks = 0;
  readonly progress = new Map<NodeId, Progress>();
  readonly votesGranted = new Set<NodeId>();
  /** Granted votes from recovering voters (see voteOutcome). */
  readonly votesGrantedRecovering = new Set<NodeId>();
  readonly votesRejected = new Set<NodeId>();
  transferee: NodeId | null = null;
  readonly reads: ReadIndexQueue;
  readonly lease: ReadLease;
  /** A follower's reads waiting for the leader's ReadIndex answer, grouped per Ready. */
  readonly forwardedReads = new ForwardedReads();
  /** Reads that arrived before the leader committed an entry of its term. */
  readonly readsAwaitingCommit: { requestId: number; from: NodeId }[] = [];
  messages: RaftMessage[] = [];
  /** Entries were appended locally since the followers were last sent what they lack (flushAppends). */
  appendsDue = false;
  readStates: ReadState[] = [];
  /** Reads this node served as leader: under its lease, or once a heartbeat round confirmed them. */
  readonly leaderReads = { lease: 0, round: 0 };
  /** The last HardState the driver persisted. */
  persistedHardState: HardState;
  /** The newest snapshot this node holds, to send followers behind our first index. */
  snapshotMeta: SnapshotMeta | null;
  snapshotData: Uint8Array | null;

  constructor(config: ResolvedRaftConfig, restored: RestoredState, random: Random) {
    this.config = config;
    this.random = random;
    const { hardState, snapshot } = restored;
    this.log = new RaftLog(snapshot, restored.entries, hardState.commit,
      restored.appliedIndex ?? snapshot?.index ?? 0);
    this.term = hardState.term;
    this.vote = hardState.vote;
    this.recovering = hardState.recovering === true || hardState.term === 0;
    this.persistedHardState = hardState;
    this.snapshotMeta = snapshot;
    this.snapshotData = restored.snapshotData ?? null;
    assert(snapshot === null || snapshot.term <= hardState.term, 'snapshot from a future term');
    this.baseMembership = snapshot?.membership ?? { voters: config.voters };
    this.membership = this.baseMembership;
    for (const entry of restored.entries) {
      if (entry.index > this.log.committed) break;
      if (entry.type === 'config') this.applyMembership(entry.index, entry.data);
    }
    this.reads = new ReadIndexQueue(config.maxPendingReads);
    this.lease = new ReadLease(config.readLease);
  }

  get id(): NodeId {
    return this.config.id;
  }

  /** Queues a message; the driver sends it after persisting the Ready that carries it. */
  send(message: RaftMessage): void {
    assert(message.to !== this.config.id, 'a core never messages itself');
    this.messages.push(message);
  }

  get voters(): readonly NodeId[] {
    return this.membership.voters;
  }

  get learners(): readonly NodeId[] {
    return this.membership.learners ?? [];
  }

  /** Every other member the leader sends the log to: voters and learners. */
  replicationTargets(): NodeId[] {
    return [...this.voters, ...this.learners].filter((id) => id !== this.config.id);
  }

  isVoter(): boolean {
    return this.voters.includes(this.config.id);
  }

  /**
   * Whether this node may stand for election. A recovering node (its log may lack what it once
   * acknowledged) may only while its committed voters are the ones it was started with: one
   * replaying an older configuration from the log (say the single voter a cluster grew from)
   * would otherwise count itself a majority of that past cluster and lead without the
   * entries the current members committed. It still votes, and campaigns once caught up.
   */
  mayCampaign(): boolean {
    if (!this.isVoter()) return false;
    if (!this.recovering) return true;
    const started = this.config.voters;
    return this.voters.length === started.length && this.voters.every((id) => started.includes(id));
  }

  otherVoters(): NodeId[] {
    return this.voters.filter((id) => id !== this.config.id);
  }

  hardState(): HardState {
    const hardState = { term: this.term, vote: this.vote, commit: this.log.committed };
    return this.recovering ? { ...hardState, recovering: true } : hardState;
  }

  /**
   * Leader stickiness: a node that heard from a leader within the minimum election timeout
   * ignores campaigns, so a partitioned node rejoining cannot depose it. With read leases on,
   * a node that just started does too: before it restarted it may have acknowledged a lease.
   */
  ignoresCampaigns(): boolean {
    if (!this.config.checkQuorum || this.electionElapsedTicks >= this.config.electionTicksMin) return false;
    return this.leader !== null || (this.lease.enabled && this.ticksSinceStart < this.config.electionTicksMin);
  }

  resetElectionTimer(): void {
    this.electionElapsedTicks = 0;
    this.heartbeatElapsedTicks = 0;
    this.electionTimeoutTicks = this.random.between(this.config.electionTicksMin,
      this.config.electionTicksMax) + this.firstElectionDelayTicks();
  }

  /**
   * Before a cluster's first election (term 0), each voter waits one longest timeout more per
   * voter that sorts before it: a cluster started as the guide starts it (node1, then node2,
   * then node3, seconds apart) elects node1, as the guide shows. A node that just started ignores
   * campaigns for its first timeout (read leases), so without the delay it usually beat the
   * first node to it. Timing only: any node still wins when the ones before it are down.
   */
  firstElectionDelayTicks(): number {
    if (this.term !== 0) return 0;
    const rank = [...this.membership.voters].sort().indexOf(this.config.id);
    return Math.max(0, rank) * this.config.electionTicksMax;
  }

  /** Records a committed config entry; the caller adjusts replication state. */
  applyMembership(index: number, data: Uint8Array): void {
    const membership = decodeMembership(data, index);
    this.membership = membership;
    this.membershipChanges.push({ index, membership });
  }

  /** Index of the newest committed config entry still in the log's history (0 if none). */
  lastMembershipIndex(): number {
    return this.membershipChanges.at(-1)?.index ?? 0;
  }

  /** Installs the membership a snapshot carries, dropping the history it replaces. */
  resetMembership(membership: Membership): void {
    this.baseMembership = membership;
    this.membership = membership;
    this.membershipChanges = [];
  }

  /** The membership in effect once `index` is committed (for snapshot metadata). */
  membershipAt(index: number): Membership {
    let membership = this.baseMembership;
    for (const change of this.membershipChanges) {
      if (change.index <= index) membership = change.membership;
    }
    return membership;
  }

  /** Forgets membership history folded into a snapshot at `index`. */
  compactMembership(index: number): void {
    this.baseMembership = this.membershipAt(index);
    this.membershipChanges = this.membershipChanges.filter((change) => change.index > index);
  }
}
