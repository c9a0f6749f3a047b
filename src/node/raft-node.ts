import { ChronosError } from '../lib/index.js';
import type { Timer } from '../lib/index.js';
import type { RaftCore } from '../raft/index.js';
import type { RaftMessage } from '../raft/index.js';
import type { NodeId } from '../raft/index.js';
import type { Script } from '../sql/index.js';
import type { StatementResult } from '../sql/index.js';
import { indexesBuilding } from '../storage/index.js';
import type { CompactionStepOutcome, StorageEngine } from '../storage/index.js';
import type { CallContext, StatementOutcome } from '../transport/index.js';
import type { DiskStats } from '../wal/index.js';
import type { NodeStatus } from './node-status.js';
import { nodeStatusOf } from './node-status.js';
import { pinBackupImage } from './backup.js';
import { BackgroundCompaction } from './background-compaction.js';
import type { MemberChange, MembersView } from './members.js';
import { addressBook, membersView, peerAddresses } from './members.js';
import { assembleNode } from './node-assembly.js';
import type { NodeParts } from './node-assembly.js';
import type { CommandOutcome, ReplicatedCommand } from './replicated-command.js';
import { outcomeUnknown } from './write-outcome.js';
import type { WriteStages } from './write-stages.js';
import type { EntryHops } from './write-hops.js';
import { runScript } from './run-script.js';
import type { RaftNodeOptions } from './raft-node-options.js';
import type { TtlPassTotals } from './ttl-passes.js';
import { TTL_PASS_CONTINUE_MS } from './ttl-passes.js';

/** How often the leader checks for an index build to continue (a pass costs ~0.1 s of apply). */
const INDEX_BUILD_CONTINUE_MS = 100;

export type { RaftNodeOptions } from './raft-node-options.js';

/**
 * One Raft member: the only place the pure core meets time, disk and network, all of which
 * come in through its environment (node-environment.ts). The Ready loop and apply pipeline
 * live in ReadyLoop, client requests in ClientRequests; this class opens, serves and stops.
 */
export class RaftNode {
  readonly id: NodeId;
  /** Appends and fsyncs of the WAL since start (for metrics). */
  readonly walStats: Readonly<DiskStats>;
  readonly #parts: NodeParts;
  readonly #timers: Timer[] = [];
  #compaction: BackgroundCompaction | null = null;

  private constructor(parts: NodeParts) {
    this.#parts = parts;
    this.id = parts.options.id;
    this.walStats = parts.walStats;
  }

  /** Opens (or creates) the node's WAL and storage, restores the core, starts ticking. */
  static async open(options: RaftNodeOptions, clean: boolean): Promise<RaftNode> {
    let built: RaftNode | null = null; // built after its peer transport, whose refusals need it
    const parts = await assembleNode(options, clean, (peer, theirs) => built?.refusedAsForeign(peer, theirs));
    const node = new RaftNode(parts);
    built = node;
    await node.#start();
    return node;
  }

  async #start(): Promise<void> {
    const { options, identity, core, loop, gate, environment, requests, replies, snapshots, log } = this.#parts;
    const { scheduler } = environment;
    identity.start({
      namedPeers: options.peers,
      identify: (address) => this.#parts.peers.identify(address),
      memberAddresses: () => peerAddresses(core.status().membership, options.id, options.peers),
      enqueue: (operation) => loop.enqueue(operation),
      nowMs: () => options.clock.nowMs(),
      refused: (peer, theirs) => this.refusedAsForeign(peer, theirs),
      running: () => gate.serving,
      sleep: (ms) => scheduler.sleep(ms),
    });
    // A restarted node no longer holds the image its log was compacted to; take a fresh one so
    // lagging followers can still be sent a snapshot.
    if (this.#parts.snapshotIndex > 0 && options.layout !== 'single-node') await snapshots.take();
    // A one-voter cluster has nobody to wait for: elect itself now instead of after a timeout.
    const { voters } = core.status();
    if (voters.length === 1 && voters[0] === options.id) loop.enqueue(() => core.campaign());
    // A cluster member's ticks keep its process alive; a single-node dir lives as long as its user.
    this.#timers.push(scheduler.every(options.tickMs, () => {
      loop.enqueue(() => core.tick());
      this.#parts.removal.current(); // a removal found is logged once, not only when asked
      this.#parts.leaderless.check();
      replies.expireReads(options.clock.nowMs() - options.readTimeoutMs);
    }, options.layout !== 'single-node'));
    if (options.ttlCleanupIntervalMs > 0) {
      this.#timers.push(scheduler.every(options.ttlCleanupIntervalMs, () => requests.proposeTtlSweep(), false));
      // A pass stops at TTL_PASS_ROWS_MAX rows; the next follows soon, with writes between them.
      this.#timers.push(scheduler.every(TTL_PASS_CONTINUE_MS, () => {
        if (this.#parts.ttl.takeMoreLeft()) requests.proposeTtlSweep();
      }, false));
    }
    // An index too big for one apply is built in passes; each leader continues any it finds.
    this.#timers.push(scheduler.every(INDEX_BUILD_CONTINUE_MS, () => requests.proposeIndexBuild(), false));
    this.#compaction = new BackgroundCompaction((maxBlocks) => this.compactStep(maxBlocks), log.child('compaction'), scheduler, options.clock,
      () => this.#parts.storage.appliedIndex);
    this.#compaction.start();
    loop.onFatal(() => this.#stopBackgroundWork());
    loop.enqueue(() => undefined);
  }

  /** One compaction step of storage, in the apply pipeline (never beside an apply). */
  compactStep(maxBlocks: number): Promise<CompactionStepOutcome> {
    return this.#parts.loop.afterApplies(() => this.#parts.storage.compactStep(maxBlocks));
  }

  /** Where this node's own writes spent their time, stage by stage, since start. */
  writeStages(): ReturnType<WriteStages['totals']> {
    return this.#parts.stages.totals();
  }

  /** True when background compaction has nothing left to merge (until the next write). */
  get compactionSettled(): boolean {
    return this.#compaction?.settled ?? false;
  }

  /** Indexes still being built in passes (see storage/index-build.ts). */
  get indexesBuilding(): number {
    return indexesBuilding(this.#parts.storage.catalog.tables());
  }

  /** Column blocks background compaction merged away since start. */
  get blocksCompacted(): number {
    return this.#compaction?.blocksRemoved ?? 0;
  }

  /** The storage engine (read-only use: local reads, metrics, backups). */
  get storage(): StorageEngine {
    return this.#parts.storage;
  }

  /** Role, term, leader and indexes as the admin API reports them. */
  status(): NodeStatus {
    // The core counts entries handed to apply; storage says what is applied.
    const { core, storage, identity, removal } = this.#parts;
    return nodeStatusOf(core.status(), storage.appliedIndex, identity.id, removal.current());
  }

  /** The TTL passes this node applied since it started. */
  ttlPasses(): TtlPassTotals {
    return this.#parts.ttl.totals();
  }

  /** Linearizable reads this node served as leader, under its lease and by heartbeat rounds. */
  leaderReads(): { readonly lease: number; readonly round: number } {
    return this.#parts.core.leaderReads();
  }

  /** The core's status and log, read-only: what the simulation's safety checkers inspect. */
  inspect(): Pick<RaftCore, 'status' | 'logView'> {
    return this.#parts.core;
  }

  /** Peer `peer` refused this node as cluster `theirs`'s; stops it once most others do. */
  refusedAsForeign(peer: NodeId, theirs: string): void {
    const foreign = this.#parts.identity.refusedBy(peer, theirs, this.#parts.core.status());
    if (foreign !== null) this.#parts.loop.die(foreign);
  }

  /** This node's cluster id (null until the cluster's birth reached it); peers check it. */
  get clusterId(): string | null {
    return this.#parts.identity.id;
  }

  /** Serves a Raft RPC from a peer: step the request, answer with the core's response. */
  handleRaftRequest(request: RaftMessage): Promise<RaftMessage | null> {
    const { gate, log, identity, loop, core, replies, options } = this.#parts;
    if (gate.stopping) return Promise.resolve(null);
    if (request.to !== this.id) {
      // A misdirected request (a peer list pointing at the wrong node) is the sender's problem;
      // the core asserts on it, so it must never get that far.
      log.warn('dropped a Raft request addressed to another node', { to: request.to, from: request.from, type: request.type });
      return Promise.resolve(null);
    }
    identity.accepted(request.from);
    this.#parts.leaderless.heard(request);
    this.#noteHop(request);
    return new Promise((resolve) => {
      loop.enqueue(() => {
        core.step(request);
        replies.expect(request, loop.generation, options.clock.nowMs(), resolve);
      });
    });
  }

  /** Takes a message from a peer's Raft stream; its answer leaves on our stream to that peer. */
  receiveStreamed(message: RaftMessage): void {
    const { gate, log, identity, loop, core } = this.#parts;
    if (gate.stopping || loop.fatal !== null) return;
    if (message.to !== this.id) {
      log.warn('dropped a Raft message addressed to another node', { to: message.to, from: message.from, type: message.type });
      return;
    }
    identity.accepted(message.from);
    this.#parts.leaderless.heard(message);
    this.#noteHop(message);
    loop.enqueue(() => core.step(message));
  }

  /** Notes an append's arrival on a follower, and an answer's on the leader (debug/write-hops). */
  #noteHop(message: RaftMessage): void {
    const { hops } = this.#parts;
    if (message.type === 'append' && message.entries.length > 0) {
      hops.appendReceived(message.entries[0]?.index ?? 0, message.entries.at(-1)?.index ?? -1);
    } else if (message.type === 'appendResponse' && message.success) {
      hops.acked(message.from, message.matchIndex);
    }
  }

  /** What this node saw of its recent entries, hop by hop (node/write-hops.ts). */
  writeHops(): EntryHops[] {
    return this.#parts.hops.recent();
  }

  /**
   * An online backup in the `chronos snapshot` format: the image is pinned between two applies,
   * so it is exactly the state at the index its header names; the node keeps serving.
   */
  async exportBackup(): Promise<AsyncIterable<Uint8Array>> {
    const { gate, loop, storage, core, options } = this.#parts;
    gate.assertRunning();
    const pin = loop.afterApplies(() => pinBackupImage(storage, core, options.clock.nowMs()));
    return (await pin).chunks;
  }

  /** Runs one client statement: writes through the log, reads linearizably. */
  execute(request: string | Script, context: CallContext): Promise<StatementResult> {
    return runScript(request, {
      write: (statements) => this.write(statements, context),
      read: (sql) => this.#parts.requests.read(sql, context.signal),
    });
  }

  /** Applies statements as one atomic command on the leader (see ClientRequests.write). */
  write(statements: readonly string[], context: CallContext): Promise<readonly StatementResult[]> {
    return this.#parts.requests.write(statements, context);
  }

  /** Proposes a typed command on the leader; resolves with its outcome once applied. */
  submitCommand(command: ReplicatedCommand): Promise<CommandOutcome> {
    return this.#parts.requests.submitCommand(command);
  }

  /** Proposes a command a follower passed on (this node must still lead). */
  handleForwardedCommand(data: Uint8Array): Promise<Uint8Array> {
    return this.#parts.requests.handleForwardedCommand(data);
  }

  /** Serves statements a follower forwarded (this node should be the leader). */
  handleForward(statements: readonly string[], context: CallContext): Promise<readonly StatementOutcome[]> {
    return this.#parts.requests.handleForward(statements, context);
  }

  /** The members, with every address this node knows. */
  members(): MembersView {
    const { options, core } = this.#parts;
    const { membership } = core.status();
    return membersView(membership, addressBook(membership, this.id, options.address, options.peers));
  }

  /** Adds or removes a member through the log (see ClientRequests.changeMembership). */
  changeMembership(change: MemberChange): Promise<MembersView> {
    return this.#parts.requests.changeMembership(change);
  }

  /**
   * Leaves the cluster gracefully: refuse new writes, hand leadership over, give in-flight
   * writes a moment to commit (so each is answered with what really happened), then stop
   * serving and sync the WAL.
   */
  async stop(): Promise<void> {
    const { gate, core, loop, requests, proposals, reads, replies, peers, wal, storage, log } = this.#parts;
    if (gate.stopping || gate.draining) return;
    gate.draining = true;
    const status = core.status();
    if (status.role === 'Leader' && status.voters.length > 1 && loop.fatal === null) {
      // A live follower takes over within a round trip and an election (~0.1 s on a LAN); a
      // longer wait only delays the exit when the chosen peer is down.
      await requests.transferLeadership(1_000);
    }
    await this.#drainWrites(STOP_DRAIN_MS);
    gate.stopping = true;
    this.#stopBackgroundWork();
    // Whatever is still waiting was proposed or forwarded: it may yet commit under a new leader.
    proposals.failAll(outcomeUnknown(`node ${this.id} shut down before the write was acknowledged`));
    reads.failAll(new ChronosError('SHUTTING_DOWN', `node ${this.id} is shutting down`));
    replies.settleAll();
    await loop.waitIdle(5_000);
    await loop.settleApplies().catch(() => undefined);
    await this.#parts.snapshots.exportSettled();
    peers.close();
    await wal.close();
    await storage.close();
    log.info('node stopped', { id: this.id });
  }

  /** Called once if the node hits an unrecoverable error (a failed fsync, corruption). */
  onFatal(listener: (error: Error) => void): void {
    this.#parts.loop.onFatal(listener);
  }

  #stopBackgroundWork(): void {
    for (const timer of this.#timers.splice(0)) timer.cancel();
    void this.#compaction?.stop(); // a running step is part of the apply pipeline
  }

  /** Waits (bounded) until no write is in flight; the Raft loop keeps running meanwhile. */
  async #drainWrites(timeoutMs: number): Promise<void> {
    const { gate, loop, environment, options, log } = this.#parts;
    const deadline = options.clock.nowMs() + timeoutMs;
    while (gate.writesInFlight > 0 && options.clock.nowMs() < deadline && loop.fatal === null) {
      await environment.scheduler.sleep(10);
    }
    if (gate.writesInFlight > 0) log.info('stopping with writes still in flight', { writes: gate.writesInFlight });
  }
}

/** How long a stopping node waits for in-flight writes to be committed and answered. */
const STOP_DRAIN_MS = 3_000;
