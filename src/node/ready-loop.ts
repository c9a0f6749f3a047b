import { errorMessage, isChronosError, ChronosError } from '../lib/index.js';
import type { Logger, Scheduler } from '../lib/index.js';
import { committedBeforePersist, mayPrecedePersist, mustPersist } from '../raft/index.js';
import type { RaftCore, Ready } from '../raft/index.js';
import type { AppendRequest, RaftMessage } from '../raft/index.js';
import type { Entry, Membership, NodeId } from '../raft/index.js';
import type { StorageEngine } from '../storage/index.js';
import type { Wal } from '../wal/index.js';
import { applyCommittedEntries } from './apply.js';
import { HeldApplies } from './held-applies.js';
import type { ClusterIdentity } from './cluster-identity.js';
import type { InboundReplies } from './inbound-replies.js';
import { peerAddresses } from './members.js';
import type { NodeGate } from './node-gate.js';
import type { PeerTransport } from './node-environment.js';
import type { ProposalTracker } from './proposal-tracker.js';
import type { ReadTracker } from './read-tracker.js';
import type { CommandOutcome } from './replicated-command.js';
import type { SnapshotKeeper } from './snapshots.js';
import { outcomeUnknown } from './write-outcome.js';
import type { WriteHops } from './write-hops.js';
import type { WriteStages } from './write-stages.js';
import type { TtlPasses } from './ttl-passes.js';

type Operation = () => void;

/** What the loop drives: the core, the node's disk, store and peers, and who waits on them. */
export interface ReadyLoopParts {
  readonly id: NodeId;
  readonly core: RaftCore;
  readonly wal: Wal;
  readonly storage: StorageEngine;
  readonly peers: PeerTransport;
  readonly proposals: ProposalTracker<CommandOutcome>;
  readonly reads: ReadTracker;
  readonly replies: InboundReplies;
  readonly identity: ClusterIdentity;
  readonly snapshots: SnapshotKeeper;
  readonly scheduler: Scheduler;
  readonly gate: NodeGate;
  readonly log: Logger;
  /** `--peers` as given: addresses for members the membership does not yet name. */
  readonly namedPeers: ReadonlyMap<NodeId, string>;
  readonly syncCapture: boolean;
  /** False for a single-node dir: there is no cluster to name. */
  readonly nameCluster: boolean;
  readonly stages: WriteStages;
  readonly hops: WriteHops;
  readonly ttl: TtlPasses;
}

/**
 * The Ready loop and the apply pipeline. Core calls are queued in an inbox and run between
 * Ready cycles, so a Ready's persist/send/apply never interleaves with a step; everything that
 * arrives during an fsync rides the next cycle together (group commit for free). Committed
 * entries are applied in order behind the loop.
 */
export class ReadyLoop {
  readonly #parts: ReadyLoopParts;
  #inbox: Operation[] = [];
  #scheduled = false;
  #looping = false;
  /** Generation of the next Ready to be taken. */
  #generation = 1;
  #applying: Promise<void> = Promise.resolve();
  #fatal: Error | null = null;
  #lastRole = '';
  /** The committed membership the peer connections were last set up for. */
  #membership: Membership | null = null;
  readonly #onFatal: Array<(error: Error) => void> = [];
  readonly #held: HeldApplies;

  constructor(parts: ReadyLoopParts) {
    this.#parts = parts;
    this.#held = new HeldApplies(parts.scheduler, (entries) => this.#startApply(entries));
  }

  /** The error that stopped the node, or null while it runs. */
  get fatal(): Error | null {
    return this.#fatal;
  }

  /** The generation the next Ready will have (answers to a request leave with it). */
  get generation(): number {
    return this.#generation;
  }

  /** Lets held entries go, then settles once every apply handed over so far has finished. */
  settleApplies(): Promise<void> {
    this.#held.flush();
    return this.#applying;
  }

  /** Runs `operation` in the loop, where the core may be called. */
  enqueue(operation: Operation): void {
    if (this.#fatal !== null) return;
    this.#inbox.push(operation);
    const wake = this.#wake;
    if (wake !== null) {
      this.#wake = null;
      wake();
      return;
    }
    this.#schedule();
  }

  /** Set while a WAL save is in flight: wakes the loop to step what arrives meanwhile. */
  #wake: (() => void) | null = null;

  /**
   * Runs inbox operations while `saving` (this Ready's WAL write) is in flight: peer answers
   * and proposals are stepped now instead of after the fsync, so an earlier entry whose
   * acknowledgements arrive meanwhile commits without waiting for it, and the appends of entries
   * proposed meanwhile go to the followers at once. Safe because the core takes no new Ready
   * before advance(), every other message stepped now leaves with the next Ready (after its
   * persist), and the leader still counts itself only for what advance() made durable.
   * Committed entries this node holds durably are applied meanwhile (`applyEarly`) unless the
   * Ready in flight still has entries to apply after its persist.
   */
  async #stepWhile(saving: Promise<void>, applyEarly: boolean): Promise<void> {
    let saved = false;
    const settled = saving.then(() => { saved = true; }, () => { saved = true; });
    const { core } = this.#parts;
    while (!saved && this.#fatal === null) {
      const operations = this.#inbox;
      this.#inbox = [];
      for (const operation of operations) operation();
      // Entries proposed during the fsync go to the followers now, not after it.
      for (const message of core.takeEarlyMessages()) this.#stream(message);
      // Entries committed meanwhile that were already on our disk are applied (and their
      // writers answered) now, not after an fsync of other entries.
      if (applyEarly) this.#handOver(core.takeDurableCommitted());
      if (this.#inbox.length > 0) continue;
      await Promise.race([settled, new Promise<void>((resolve) => { this.#wake = resolve; })]);
      this.#wake = null;
    }
    await saving;
  }

  /** Runs `work` in the apply pipeline, between applies (no apply transaction is open then). */
  afterApplies<T>(work: () => Promise<T>): Promise<T> {
    this.#held.flush();
    const run = this.#applying.then(work);
    this.#applying = run.then(() => undefined, () => undefined);
    return run;
  }

  /** Called once if the node hits an unrecoverable error (a failed fsync, corruption). */
  onFatal(listener: (error: Error) => void): void {
    this.#onFatal.push(listener);
    // A fatal error found before the listener came (a foreign dir seen at start-up) still ends the process.
    const fatal = this.#fatal;
    if (fatal !== null) queueMicrotask(() => listener(fatal));
  }

  /** Waits (bounded) until no cycle runs or is scheduled. */
  async waitIdle(timeoutMs: number): Promise<void> {
    const { scheduler } = this.#parts;
    this.#held.flush();
    for (let waited = 0; (this.#looping || this.#scheduled) && waited < timeoutMs; waited += 10) {
      await scheduler.sleep(10);
    }
  }

  /** Stops the node for good: every waiter is told, listeners run once. */
  die(error: unknown): void {
    if (this.#fatal !== null) return;
    const fatal = error instanceof Error ? error : new Error(String(error));
    this.#fatal = fatal;
    this.#held.drop();
    const { log, id, proposals, reads, replies } = this.#parts;
    // A foreign dir's error is the operator's one line already: what is wrong, what to do.
    if (isChronosError(error, 'CLUSTER_MISMATCH')) log.error(error.message);
    else log.error('fatal error in the Raft loop; the node stops serving', { error: errorMessage(error), code: isChronosError(error) ? error.code : null });
    const failure = new ChronosError('UNAVAILABLE', `node ${id} failed: ${errorMessage(error)}`);
    proposals.failAll(outcomeUnknown(failure.message));
    reads.failAll(failure);
    replies.settleAll();
    for (const listener of this.#onFatal) listener(fatal);
  }

  #schedule(): void {
    if (this.#scheduled || this.#looping || this.#fatal !== null) return;
    this.#scheduled = true;
    this.#parts.scheduler.defer(() => {
      this.#scheduled = false;
      void this.#loop();
    });
  }

  async #loop(): Promise<void> {
    if (this.#looping || this.#fatal !== null) return;
    this.#looping = true;
    const { core } = this.#parts;
    try {
      for (let cycles = 0; cycles < 1_000; cycles++) {
        const operations = this.#inbox;
        this.#inbox = [];
        for (const operation of operations) operation();
        if (!core.hasReady()) {
          if (this.#inbox.length > 0) continue;
          // An image exported while no Ready came along: compact to it now, between cycles.
          if (!this.#parts.snapshots.exportReady) break;
          await this.#parts.snapshots.maybeTake();
          continue;
        }
        await this.#cycle(core);
      }
    } catch (error) {
      this.die(error);
    } finally {
      this.#looping = false;
    }
    if (this.#inbox.length > 0 || core.hasReady()) this.#schedule();
  }

  /** One Ready: persist, send, hand over for apply, advance, then the per-cycle checks. */
  async #cycle(core: RaftCore): Promise<void> {
    const ready = core.ready();
    const generation = this.#generation++;
    await this.#handleReady(ready);
    core.advance(ready);
    // Only a follower holds entries back: a leader answers writers from its applies.
    if (core.role !== 'Follower') this.#held.flush();
    this.#parts.replies.settleThrough(generation);
    this.#followMembership();
    this.#logRoleChange();
    if (this.#parts.nameCluster) this.#parts.identity.proposeBirth(core);
    await this.#parts.snapshots.maybeTake();
  }

  async #handleReady(ready: Ready): Promise<void> {
    const { snapshots, identity, storage, wal } = this.#parts;
    if (ready.snapshot !== null) {
      this.#held.flush();
      await snapshots.install(ready.snapshot);
      await identity.learn(storage, true);
    }
    const persisting = mustPersist(ready);
    // A leader's appends go out while its own fsync runs; everything else waits for it.
    const durableTerm = this.#parts.core.durableTerm;
    const appends = persisting ? ready.messages.filter((message) => mayPrecedePersist(message, durableTerm)) : [];
    for (const message of appends) this.#stream(message);
    // Committed entries already on our disk need not wait for this persist; the others (a
    // follower's entries arriving with their commit) are applied once it is done.
    const durable = committedBeforePersist(ready, this.#parts.core.durableIndex);
    this.#handOver(ready.committedEntries.slice(0, durable));
    const afterPersist = ready.committedEntries.slice(durable);
    if (persisting) {
      const startMs = performance.now();
      const first = ready.entries[0]?.index ?? 0;
      const last = ready.entries.at(-1)?.index ?? -1;
      this.#parts.hops.reached('walStart', first, last);
      await this.#stepWhile(wal.save({
        ...(ready.hardState === null ? {} : { hardState: ready.hardState }),
        ...(ready.entries.length === 0 ? {} : { entries: ready.entries }),
        ...(ready.snapshot === null ? {} : { snapshot: ready.snapshot.meta }),
      }), ready.snapshot === null && afterPersist.length === 0);
      const endMs = performance.now();
      this.#parts.snapshots.logged(ready.entries.reduce((sum, entry) => sum + entry.data.length, 0));
      this.#parts.hops.reached('walEnd', first, last);
      this.#parts.stages.saved(first, last, endMs, endMs - startMs);
    }
    this.#sendAfterPersist(ready.messages, new Set<RaftMessage>(appends));
    this.#handOver(afterPersist);
    for (const readState of ready.readStates) {
      this.#parts.reads.confirmed(readState.requestId, readState.index, storage.appliedIndex);
    }
    if (this.#parts.reads.hasWaiting) this.#held.flush();
  }

  #sendAfterPersist(messages: readonly RaftMessage[], sent: ReadonlySet<RaftMessage>): void {
    const { replies, peers, core, gate, hops } = this.#parts;
    const notices: AppendRequest[] = [];
    for (const message of messages) {
      if (sent.has(message)) continue;
      if (message.type === 'append' && message.commitOnly) {
        notices.push(message);
        continue;
      }
      if (message.type === 'appendResponse' && message.success) hops.ackSent(message.matchIndex);
      // An answer to a request that came as a unary RPC goes back as that RPC's reply.
      if (replies.tryReply(message)) continue;
      if (message.type === 'snapshot') {
        void peers.send(message).then((reply) => {
          if (reply !== null && !gate.stopping) this.enqueue(() => core.step(reply));
        });
        continue;
      }
      this.#stream(message);
    }
    // Commit notices leave after the writers they commit are answered (this Ready's apply
    // runs first, in microtasks): the followers only learn an index, the client is waiting.
    if (notices.length > 0) this.#parts.scheduler.defer(() => this.#streamNotices(notices));
  }

  #streamNotices(notices: readonly AppendRequest[]): void {
    if (this.#fatal !== null || this.#parts.gate.stopping) return;
    for (const notice of notices) this.#stream(notice);
  }

  /** Streams `message` to its peer, noting when an append first carries each entry. */
  #stream(message: Exclude<RaftMessage, { type: 'snapshot' }>): void {
    if (message.type === 'append' && message.entries.length > 0) {
      this.#parts.hops.sent(message.to, message.entries[0]?.index ?? 0, message.entries.at(-1)?.index ?? -1);
    }
    this.#parts.peers.stream(message);
  }

  /** Hands committed entries to the apply pipeline; a follower may hold them back (held-applies.ts). */
  #handOver(entries: readonly Entry[]): void {
    const last = entries.at(-1);
    if (last === undefined) return;
    const { stages, hops, core, snapshots, reads } = this.#parts;
    const first = entries[0]?.index ?? last.index;
    stages.committed(first, last.index, performance.now());
    hops.reached('committed', first, last.index);
    this.#held.add(entries, core.role === 'Follower' && !reads.hasWaiting && !snapshots.isDue(last.index));
  }

  /**
   * Apply runs behind the loop, in order, so the next Ready's fsync and appends overlap this
   * one's LevelDB batch (the WAL holds the entries). Storage is written without fsync (the WAL
   * replays what a crash loses) except just before a compaction.
   */
  #startApply(entries: readonly Entry[]): void {
    const lastCommitted = entries.at(-1);
    if (lastCommitted === undefined) return;
    const { storage, proposals, log, reads, identity, snapshots, id, syncCapture, stages, hops, ttl } = this.#parts;
    const first = entries[0]?.index ?? lastCommitted.index;
    const sync = snapshots.isDue(lastCommitted.index);
    this.#applying = this.#applying.then(async () => {
      const capture = syncCapture ? { nodeId: id } : null;
      const startMs = performance.now();
      hops.reached('applyStart', first, lastCommitted.index);
      await applyCommittedEntries(storage, entries, proposals, log,
        { sync, capture, ttl, answered: () => hops.reached('answered', first, lastCommitted.index) });
      hops.reached('applied', first, lastCommitted.index);
      stages.applied(first, lastCommitted.index, startMs, performance.now());
      reads.applied(storage.appliedIndex);
      // Until it has an id, learning reads storage after every apply; a single-node dir has none.
      if (this.#parts.nameCluster) await identity.learn(storage);
    });
    this.#applying.catch((error: unknown) => this.die(error));
  }

  /** Dials exactly the current members (the committed membership changed, or a snapshot came). */
  #followMembership(): void {
    const { core, peers, id, namedPeers } = this.#parts;
    const { membership } = core.status();
    if (membership === this.#membership) return;
    this.#membership = membership;
    peers.updatePeers(peerAddresses(membership, id, namedPeers));
  }

  #logRoleChange(): void {
    const status = this.#parts.core.status();
    const role = `${status.role}/${status.term}`;
    if (role === this.#lastRole) return;
    this.#lastRole = role;
    this.#parts.log.info(`role ${status.role}`, { term: status.term, leader: status.leader });
  }
}

