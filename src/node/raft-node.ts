import { assert, ChronosError, errorMessage, isChronosError } from '../lib/index.js';
import type { Logger } from '../lib/index.js';
import type { RaftMessage } from '../raft/messages.js';
import { mayPrecedePersist } from '../raft/index.js';
import type { RaftCore } from '../raft/index.js';
import type { Ready } from '../raft/index.js';
import type { Membership, NodeId } from '../raft/types.js';
import { DEFAULT_STATEMENT_LIMITS, executeRead } from '../sql/index.js';
import type { Script } from '../sql/index.js';
import type { StatementResult } from '../sql/result.js';
import type { StorageEngine } from '../storage/index.js';
import type { CallContext, StatementOutcome } from '../transport/handlers.js';
import { PeerClients } from '../transport/peer-client.js';
import type { Wal, DiskStats } from '../wal/index.js';
import type { NodeStatus } from './node-status.js';
import { nodeStatusOf } from './node-status.js';
import { applyCommittedEntries } from './apply.js';
import { pinBackupImage } from './backup.js';
import { BackgroundCompaction } from './background-compaction.js';
import { SnapshotKeeper } from './snapshots.js';
import { delay } from './delay.js';
import { InboundReplies } from './inbound-replies.js';
import { ProposalTracker } from './proposal-tracker.js';
import { restoreNode } from './restore.js';
import { ReadTracker } from './read-tracker.js';
import { addressBook, changeMembership, handOverTarget, membersView, peerAddresses } from './members.js';
import type { MemberChange, MembersView } from './members.js';
import { decodeCommandOutcome, encodeCommandOutcome, encodeReplicatedCommand } from './replicated-command.js';
import type { CommandOutcome, ReplicatedCommand } from './replicated-command.js';
import { afterProposing, beforeProposing, outcomeUnknown } from './write-outcome.js';
import { forwardWrite } from './forward-write.js';
import { ClusterIdentity } from './cluster-identity.js';
import { runScript } from './run-script.js';
import { identifyPeer } from '../transport/identify-peer.js';

import type { RaftNodeOptions } from './raft-node-options.js';

export type { RaftNodeOptions } from './raft-node-options.js';

type Operation = () => void;

/**
 * One Raft member: the only place the pure core meets time, disk and network. Core calls are
 * queued in an inbox and run between Ready cycles, so a Ready's persist/send/apply never
 * interleaves with a step; everything that arrives during an fsync rides the next cycle
 * together (group commit for free).
 */
export class RaftNode {
  readonly id: NodeId;
  /** Appends and fsyncs of the WAL since start (for metrics). */
  readonly walStats: Readonly<DiskStats>;
  readonly #options: RaftNodeOptions;
  readonly #core: RaftCore;
  readonly #wal: Wal;
  readonly #storage: StorageEngine;
  readonly #peers: PeerClients;
  readonly #log: Logger;
  readonly #proposals = new ProposalTracker<CommandOutcome>();
  readonly #reads = new ReadTracker();
  readonly #replies = new InboundReplies();
  readonly #identity: ClusterIdentity;
  #inbox: Operation[] = [];
  #loopScheduled = false;
  #looping = false;
  /** Generation of the next Ready to be taken. */
  #generation = 1;
  #ticker: NodeJS.Timeout | null = null;
  #ttlTimer: NodeJS.Timeout | null = null;
  #compaction: BackgroundCompaction | null = null;
  /** The apply pipeline: committed entries are applied in order behind the Ready loop. */
  #applying: Promise<void> = Promise.resolve();
  readonly #snapshots: SnapshotKeeper;
  /** Set when stop() begins: new writes are refused, in-flight ones are answered truthfully. */
  #draining = false;
  #writesInFlight = 0;
  #stopping = false;
  #fatal: Error | null = null;
  #lastRole = '';
  /** The committed membership the peer connections were last set up for. */
  #membership: Membership | null = null;

  private constructor(init: {
    options: RaftNodeOptions;
    core: RaftCore;
    wal: Wal;
    storage: StorageEngine;
    peers: PeerClients;
    snapshotIndex: number;
    walStats: DiskStats;
    identity: ClusterIdentity;
  }) {
    this.#identity = init.identity;
    this.walStats = init.walStats;
    this.id = init.options.id;
    this.#options = init.options;
    this.#core = init.core;
    this.#wal = init.wal;
    this.#storage = init.storage;
    this.#peers = init.peers;
    this.#snapshots = new SnapshotKeeper({
      index: init.snapshotIndex, storage: init.storage, core: init.core, wal: init.wal,
      log: init.options.logger.child('raft'), everyEntries: init.options.snapshotEveryEntries, settled: () => this.#applying,
    });
    this.#log = init.options.logger.child('raft');
  }

  /** Opens (or creates) the node's WAL and storage, restores the core, starts ticking. */
  static async open(options: RaftNodeOptions, clean: boolean): Promise<RaftNode> {
    const { wal, walStats, storage, core, snapshotIndex, lastIndex, voters, term } = await restoreNode(options, clean);
    const peerLog = options.logger.child('transport');
    const identity = await ClusterIdentity.open(storage, options, options.logger.child('raft'));
    let built: RaftNode | null = null; // built after its peer clients, whose refusals need it
    const peers = new PeerClients(peerAddresses(core.status().membership, options.id, options.peers), {
      tls: options.tls,
      token: options.peerToken,
      forwardDeadlineMs: options.writeTimeoutMs,
      onFailure: (failure) => peerLog.debug('peer call failed', { ...failure }),
      clusterId: () => identity.id,
      onClusterRefusal: (to, theirs) => built?.refusedAsForeign(to, theirs),
    });
    const node = new RaftNode({ options, core, wal, storage, peers, snapshotIndex, walStats, identity });
    built = node;
    identity.start({
      namedPeers: options.peers,
      identify: (address) => identifyPeer(address, { tls: options.tls, token: options.peerToken, clusterId: identity.id, deadlineMs: 1_000 }),
      memberAddresses: () => peerAddresses(core.status().membership, options.id, options.peers),
      enqueue: (operation) => node.#enqueue(operation),
      refused: (peer, theirs) => node.refusedAsForeign(peer, theirs),
      running: () => node.#fatal === null && !node.#draining,
    });
    node.#log.info('node opened', { id: options.id, voters: voters.join(','), term, applied: storage.appliedIndex, lastIndex });
    if (snapshotIndex > 0) {
      // A restarted node no longer holds the image its log was compacted to; take a fresh one so
      // lagging followers can still be sent a snapshot.
      await node.#snapshots.take();
    }
    // A one-voter cluster has nobody to wait for: elect itself now instead of after a timeout.
    const { voters: initialVoters } = core.status();
    if (initialVoters.length === 1 && initialVoters[0] === options.id) {
      node.#enqueue(() => node.#core.campaign());
    }
    node.#ticker = setInterval(() => {
      node.#enqueue(() => node.#core.tick());
      node.#replies.expireReads(Date.now() - options.readTimeoutMs);
    }, options.tickMs);
    if (options.ttlCleanupIntervalMs > 0) {
      node.#ttlTimer = setInterval(() => node.#proposeTtlSweep(), options.ttlCleanupIntervalMs);
      node.#ttlTimer.unref();
    }
    node.#compaction = new BackgroundCompaction((maxBlocks) => node.#afterApplies(() => node.#storage.compactStep(maxBlocks)),
      node.#log.child('compaction'));
    node.#compaction.start();
    node.#schedule();
    return node;
  }

  /** Runs `work` in the apply pipeline, between applies (no apply transaction is open then). */
  #afterApplies<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#applying.then(work);
    this.#applying = run.then(() => undefined, () => undefined);
    return run;
  }

  /** Column blocks background compaction merged away since start. */
  get blocksCompacted(): number {
    return this.#compaction?.blocksRemoved ?? 0;
  }

  /** The storage engine (read-only use: local reads, metrics, backups). */
  get storage(): StorageEngine {
    return this.#storage;
  }

  /** Role, term, leader and indexes as the admin API reports them. */
  status(): NodeStatus {
    // The core counts entries handed to apply; storage says what is applied.
    return nodeStatusOf(this.#core.status(), this.#storage.appliedIndex, this.#identity.id);
  }

  /** Peer `peer` refused this node as cluster `theirs`'s; stops it once most others do. */
  refusedAsForeign(peer: NodeId, theirs: string): void {
    const foreign = this.#identity.refusedBy(peer, theirs, this.#core.status());
    if (foreign !== null) this.#die(foreign);
  }

  /** This node's cluster id (null until the cluster's birth reached it); peers check it. */
  get clusterId(): string | null {
    return this.#identity.id;
  }

  /** Serves a Raft RPC from a peer: step the request, answer with the core's response. */
  handleRaftRequest(request: RaftMessage): Promise<RaftMessage | null> {
    if (this.#stopping) return Promise.resolve(null);
    if (request.to !== this.id) {
      // A misdirected request (a peer list pointing at the wrong node) is the sender's problem;
      // the core asserts on it, so it must never get that far.
      this.#log.warn('dropped a Raft request addressed to another node',
        { to: request.to, from: request.from, type: request.type });
      return Promise.resolve(null);
    }
    this.#identity.accepted(request.from);
    return new Promise((resolve) => {
      this.#enqueue(() => {
        this.#core.step(request);
        this.#replies.expect(request, this.#generation, resolve);
      });
    });
  }

  /**
   * An online backup in the `chronos snapshot` format: the image is pinned between two applies,
   * so it is exactly the state at the index its header names; the node keeps serving.
   */
  async exportBackup(): Promise<AsyncIterable<Uint8Array>> {
    this.#assertRunning();
    const pin = this.#afterApplies(() => pinBackupImage(this.#storage, this.#core, this.#options.clock.nowMs()));
    return (await pin).chunks;
  }

  /** Takes a message from a peer's Raft stream; its answer leaves on our stream to that peer. */
  receiveStreamed(message: RaftMessage): void {
    if (this.#stopping || this.#fatal !== null) return;
    if (message.to !== this.id) {
      this.#log.warn('dropped a Raft message addressed to another node',
        { to: message.to, from: message.from, type: message.type });
      return;
    }
    this.#identity.accepted(message.from);
    this.#enqueue(() => this.#core.step(message));
  }

  /** Runs one client statement: writes through the log, reads linearizably. */
  execute(request: string | Script, context: CallContext): Promise<StatementResult> {
    return runScript(request, {
      write: (statements) => this.write(statements, context),
      read: (sql) => this.#read(sql, context.signal),
    });
  }

  /**
   * Applies statements as one atomic command on the leader (forwarding from a follower). A
   * failure says whether the write was applied: NOT_APPLIED before anything left this node or
   * was proposed, OUTCOME_UNKNOWN once it may be in the log.
   */
  async write(statements: readonly string[], context: CallContext): Promise<readonly StatementResult[]> {
    this.#writesInFlight += 1;
    try {
      let leader: NodeId;
      try {
        this.#assertAcceptingWrites();
        leader = await this.#awaitLeader();
      } catch (error) {
        throw beforeProposing(error);
      }
      if (leader !== this.id) return await forwardWrite(this.#peers, leader, statements, context);
      const outcome = await this.#proposeAndWait(() => this.#core.propose(encodeReplicatedCommand({
        kind: 'sqlWrite', write: { statements, nowMs: this.#options.clock.nowMs() },
      })));
      assert(outcome.kind === 'statements', `a SQL write applied as ${outcome.kind}`);
      return outcome.results;
    } finally {
      this.#writesInFlight -= 1;
    }
  }

  /**
   * Proposes a typed command on the leader (passed on to it from a follower); resolves with
   * its outcome once applied here or there.
   */
  async submitCommand(command: ReplicatedCommand): Promise<CommandOutcome> {
    this.#assertRunning();
    const leader = await this.#awaitLeader();
    const data = encodeReplicatedCommand(command);
    if (leader === this.id) return this.#proposeAndWait(() => this.#core.propose(data));
    return decodeCommandOutcome(await this.#peers.forwardCommand(leader, data));
  }

  /** Proposes a command a follower passed on (this node must still lead). */
  async handleForwardedCommand(data: Uint8Array): Promise<Uint8Array> {
    this.#assertRunning();
    return encodeCommandOutcome(await this.#proposeAndWait(() => this.#core.propose(data)));
  }

  /** Proposes through `append` and waits for the entry's apply; failures say if it applied. */
  async #proposeAndWait(append: () => number): Promise<CommandOutcome> {
    const waiting = await this.#proposeEntry(append);
    try {
      return await waiting;
    } catch (error) {
      throw afterProposing(error);
    }
  }

  /** Runs `append` (a core proposal) in the loop; resolves to the wait for its apply. */
  #proposeEntry(append: () => number): Promise<Promise<CommandOutcome>> {
    return new Promise((resolve, reject) => {
      this.#enqueue(() => {
        try {
          this.#assertAcceptingWrites();
          const index = append();
          resolve(this.#proposals.wait(index, this.#core.status().term, this.#options.writeTimeoutMs));
        } catch (error) {
          reject(beforeProposing(error));
        }
      });
    });
  }

  /** Serves statements a follower forwarded (this node should be the leader). */
  async handleForward(statements: readonly string[], context: CallContext): Promise<readonly StatementOutcome[]> {
    try {
      const results = await this.write(statements, context);
      return results.map((result) => ({ ok: true, result }));
    } catch (error) {
      return [{ ok: false, error }];
    }
  }

  /**
   * Leaves the cluster gracefully: refuse new writes, hand leadership over, give in-flight
   * writes a moment to commit (so each is answered with what really happened), then stop
   * serving and sync the WAL.
   */
  async stop(): Promise<void> {
    if (this.#stopping || this.#draining) return;
    this.#draining = true;
    const status = this.#core.status();
    if (status.role === 'Leader' && status.voters.length > 1 && this.#fatal === null) {
      // A live follower takes over within a round trip and an election (~0.1 s on a LAN); a
      // longer wait only delays the exit when the chosen peer is down.
      await this.#transferLeadership(1_000);
    }
    await this.#drainWrites(STOP_DRAIN_MS);
    this.#stopping = true;
    if (this.#ticker !== null) clearInterval(this.#ticker);
    if (this.#ttlTimer !== null) clearInterval(this.#ttlTimer);
    void this.#compaction?.stop(); // a running step is part of #applying
    // Whatever is still waiting was proposed or forwarded: it may yet commit under a new leader.
    this.#proposals.failAll(outcomeUnknown(`node ${this.id} shut down before the write was acknowledged`));
    this.#reads.failAll(new ChronosError('SHUTTING_DOWN', `node ${this.id} is shutting down`));
    this.#replies.settleAll();
    await this.#waitLoopIdle(5_000);
    await this.#applying.catch(() => undefined);
    this.#peers.close();
    await this.#wal.close();
    await this.#storage.close();
    this.#log.info('node stopped', { id: this.id });
  }

  /** Waits (bounded) until no write is in flight; the Raft loop keeps running meanwhile. */
  async #drainWrites(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#writesInFlight > 0 && Date.now() < deadline && this.#fatal === null) await delay(10);
    if (this.#writesInFlight > 0) {
      this.#log.info('stopping with writes still in flight', { writes: this.#writesInFlight });
    }
  }

  /** On the leader: replicate a TTL pass at the current time (followers do nothing). */
  #proposeTtlSweep(): void {
    this.#enqueue(() => {
      if (this.#core.status().role !== 'Leader') return;
      try {
        this.#core.propose(encodeReplicatedCommand({ kind: 'ttlSweep', nowMs: this.#options.clock.nowMs() }));
      } catch (error) {
        // Leadership moved between the check and the proposal: the new leader runs the pass.
        this.#log.debug('TTL pass not proposed', { error: errorMessage(error) });
      }
    });
  }

  /** Hands leadership to the most caught-up other voter; waits up to `timeoutMs`. */
  async #transferLeadership(timeoutMs: number): Promise<void> {
    const target = handOverTarget(this.#core);
    if (target === null) return;
    this.#enqueue(() => this.#core.transferLeadership(target));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && this.#core.status().role === 'Leader') await delay(20);
    this.#log.info('leadership transfer', { target, done: this.#core.status().role !== 'Leader' });
  }

  /** The members, with every address this node knows. */
  members(): MembersView {
    const { membership } = this.#core.status();
    return membersView(membership, addressBook(membership, this.id, this.#options.address, this.#options.peers));
  }

  /**
   * Adds or removes a member through the log. Any member accepts the request and passes it to
   * the leader; a leader asked to remove itself hands leadership over first.
   */
  changeMembership(change: MemberChange): Promise<MembersView> {
    this.#assertRunning();
    return changeMembership(change, {
      self: this.id,
      awaitLeader: () => this.#awaitLeader(),
      handOver: () => this.#transferLeadership(this.#options.writeTimeoutMs),
      members: () => ({ membership: this.#core.status().membership, view: this.members() }),
      passOn: (leader) => this.#peers.changeMembership(leader, change),
      propose: async (next) => {
        await this.#proposeAndWait(() => this.#core.proposeMembership(next));
      },
      wait: delay,
      log: this.#log,
    });
  }

  /** Dials exactly the current members (the committed membership changed, or a snapshot came). */
  #followMembership(): void {
    const { membership } = this.#core.status();
    if (membership === this.#membership) return;
    this.#membership = membership;
    this.#peers.updatePeers(peerAddresses(membership, this.id, this.#options.peers));
  }

  async #read(sql: string, signal: AbortSignal | undefined): Promise<StatementResult> {
    this.#assertRunning();
    await this.#awaitLeader();
    const { requestId, ready } = this.#reads.begin(this.#options.readTimeoutMs);
    this.#enqueue(() => {
      try {
        this.#core.readIndex(requestId);
      } catch (error) {
        this.#reads.fail(requestId, error instanceof Error ? error : new Error(String(error)));
      }
    });
    await ready;
    const reader = await this.#storage.reader();
    try {
      const limits = this.#options.statementLimits ?? DEFAULT_STATEMENT_LIMITS;
      return await executeRead(sql, reader, this.#options.clock.nowMs(), { ...limits, signal });
    } finally {
      await reader.close();
    }
  }

  /** Waits (up to one read timeout) until some node is known as leader. */
  async #awaitLeader(): Promise<NodeId> {
    const deadline = Date.now() + this.#options.readTimeoutMs;
    for (;;) {
      this.#assertRunning();
      const leader = this.#core.status().leader;
      if (leader !== null) return leader;
      if (Date.now() >= deadline) {
        throw new ChronosError(
          'NO_QUORUM',
          `no leader elected within ${this.#options.readTimeoutMs} ms: a majority of nodes is unreachable`,
        );
      }
      await delay(25);
    }
  }

  /** Throws when writes are no longer taken (stopping, or stopped after a fatal error). */
  #assertAcceptingWrites(): void {
    this.#assertRunning();
    if (this.#draining) throw new ChronosError('SHUTTING_DOWN', `node ${this.id} is shutting down`);
  }

  #assertRunning(): void {
    if (this.#fatal !== null) {
      throw new ChronosError('UNAVAILABLE', `node ${this.id} stopped after a fatal error: ${this.#fatal.message}`);
    }
    if (this.#stopping) throw new ChronosError('SHUTTING_DOWN', `node ${this.id} is shutting down`);
  }

  #enqueue(operation: Operation): void {
    if (this.#fatal !== null) return;
    this.#inbox.push(operation);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#loopScheduled || this.#looping || this.#fatal !== null) return;
    this.#loopScheduled = true;
    setImmediate(() => {
      this.#loopScheduled = false;
      void this.#loop();
    });
  }

  async #loop(): Promise<void> {
    if (this.#looping || this.#fatal !== null) return;
    this.#looping = true;
    try {
      for (let cycles = 0; cycles < 1_000; cycles++) {
        const operations = this.#inbox;
        this.#inbox = [];
        for (const operation of operations) operation();
        if (!this.#core.hasReady()) {
          if (this.#inbox.length === 0) break;
          continue;
        }
        const ready = this.#core.ready();
        const generation = this.#generation++;
        await this.#handleReady(ready);
        this.#core.advance(ready);
        this.#replies.settleThrough(generation);
        this.#followMembership();
        this.#logRoleChange();
        this.#identity.proposeBirth(this.#core);
        await this.#snapshots.maybeTake();
      }
    } catch (error) {
      this.#die(error);
    } finally {
      this.#looping = false;
    }
    if (this.#inbox.length > 0 || this.#core.hasReady()) this.#schedule();
  }

  async #handleReady(ready: Ready): Promise<void> {
    if (ready.snapshot !== null) {
      await this.#snapshots.install(ready.snapshot);
      await this.#identity.learn(this.#storage, true);
    }
    const persisting = ready.mustSync || ready.entries.length > 0 || ready.snapshot !== null;
    // A leader's appends go out while its own fsync runs; everything else waits for it.
    const appends = persisting ? ready.messages.filter(mayPrecedePersist) : [];
    for (const message of appends) this.#peers.stream(message);
    const early = new Set<RaftMessage>(appends);
    if (persisting) {
      await this.#wal.save({
        ...(ready.hardState === null ? {} : { hardState: ready.hardState }),
        ...(ready.entries.length === 0 ? {} : { entries: ready.entries }),
        ...(ready.snapshot === null ? {} : { snapshot: ready.snapshot.meta }),
      });
    }
    for (const message of ready.messages) {
      if (early.has(message)) continue;
      // An answer to a request that came as a unary RPC goes back as that RPC's reply.
      if (this.#replies.tryReply(message)) continue;
      if (message.type === 'snapshot') {
        void this.#peers.send(message).then((reply) => {
          if (reply !== null && !this.#stopping) this.#enqueue(() => this.#core.step(reply));
        });
        continue;
      }
      this.#peers.stream(message);
    }
    const lastCommitted = ready.committedEntries.at(-1);
    if (lastCommitted !== undefined) {
      // Apply runs behind the loop, in order, so the next Ready's fsync and appends overlap
      // this one's LevelDB batch (the WAL holds the entries). Storage is written without fsync
      // (the WAL replays what a crash loses) except just before a compaction.
      const entries = ready.committedEntries;
      const sync = this.#snapshots.isDue(lastCommitted.index);
      this.#applying = this.#applying.then(async () => {
        const capture = this.#options.syncCapture === true ? { nodeId: this.id } : null;
        await applyCommittedEntries(this.#storage, entries, this.#proposals, this.#log, { sync, capture });
        this.#reads.applied(this.#storage.appliedIndex);
        await this.#identity.learn(this.#storage);
      });
      this.#applying.catch((error: unknown) => this.#die(error));
    }
    for (const readState of ready.readStates) {
      this.#reads.confirmed(readState.requestId, readState.index, this.#storage.appliedIndex);
    }
  }

  #logRoleChange(): void {
    const status = this.#core.status();
    const role = `${status.role}/${status.term}`;
    if (role === this.#lastRole) return;
    this.#lastRole = role;
    this.#log.info(`role ${status.role}`, { term: status.term, leader: status.leader });
  }

  #die(error: unknown): void {
    if (this.#fatal !== null) return;
    this.#fatal = error instanceof Error ? error : new Error(String(error));
    // A foreign dir's error is the operator's one line already: what is wrong, what to do.
    if (isChronosError(error, 'CLUSTER_MISMATCH')) this.#log.error(error.message);
    else this.#log.error('fatal error in the Raft loop; the node stops serving', { error: errorMessage(error), code: isChronosError(error) ? error.code : null });
    const failure = new ChronosError('UNAVAILABLE', `node ${this.id} failed: ${errorMessage(error)}`);
    this.#proposals.failAll(outcomeUnknown(failure.message));
    this.#reads.failAll(failure);
    this.#replies.settleAll();
    if (this.#ticker !== null) clearInterval(this.#ticker);
    if (this.#ttlTimer !== null) clearInterval(this.#ttlTimer);
    void this.#compaction?.stop(); // a running step is part of #applying
    this.#onFatal?.(this.#fatal);
  }

  #onFatal: ((error: Error) => void) | null = null;

  /** Called once if the node hits an unrecoverable error (a failed fsync, corruption). */
  onFatal(listener: (error: Error) => void): void {
    this.#onFatal = listener;
  }

  async #waitLoopIdle(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((this.#looping || this.#loopScheduled) && Date.now() < deadline) await delay(10);
  }
}

/** How long a stopping node waits for in-flight writes to be committed and answered. */
const STOP_DRAIN_MS = 3_000;
