import { appendAll, assert } from '../lib/index.js';
import type { Random } from '../lib/index.js';
import { committedBeforePersist, mayPrecedePersist, mustPersist, RaftCore } from '../raft/index.js';
import type {
  Entry, HardState, NodeId, RaftConfig, RaftMessage, ReadState, Ready, Snapshot,
} from '../raft/index.js';
import { decodeKv, encodeKv, parseCommand } from './kv.js';

/** Where a pending crash strikes while the node handles its next Ready. */
export type CrashPoint = 'beforePersist' | 'afterPersist' | 'afterSend';

/** How a node comes back after losing its disk. */
export type DiskLoss = 'wiped' | 'olderImage';

/** What survives a crash: the modelled WAL and snapshot file. */
interface DurableStore {
  hardState: HardState;
  snapshot: Snapshot | null;
  entries: Entry[];
}

/** Hooks the simulation gives each node (network, checkers, proposal tracking). */
export interface SimNodeHooks {
  send(node: SimNode, messages: readonly RaftMessage[]): void;
  applied(node: SimNode, entry: Entry): void;
  readState(node: SimNode, readState: ReadState): void;
}

/** One simulated server: a RaftCore, a driver loop modelled on the real one, a KV map. */
export class SimNode {
  readonly id: NodeId;
  #config: RaftConfig;
  readonly #random: Random;
  readonly #compactEveryEntries: number;
  readonly #durable: DurableStore = {
    hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [],
  };
  /** The newest snapshot this node wrote: what an operator's backup of it would hold. */
  #backup: Snapshot | null = null;
  /** The Ready whose persist is in flight, what of it was sent, and when its fsync ends. */
  #inFlight: {
    ready: Ready; sent: ReadonlySet<RaftMessage>; doneAtMs: number;
    /** The Ready's committed entries beyond what was durable when it was taken. */
    afterPersist: readonly Entry[];
  } | null = null;
  core: RaftCore | null = null;
  kv = new Map<string, string>();
  appliedIndex = 0;
  /** Bumped on each restart; proposals and checks are per incarnation. */
  incarnation = 0;
  pendingCrash: CrashPoint | null = null;
  /** Simulated time at which a crashed node restarts. */
  restartAtMs = 0;
  /** Tick phase so nodes do not tick in lockstep. */
  readonly tickOffsetMs: number;

  constructor(id: NodeId, config: RaftConfig, random: Random, compactEveryEntries: number) {
    this.id = id;
    this.#config = config;
    this.#random = random;
    this.#compactEveryEntries = compactEveryEntries;
    this.tickOffsetMs = random.int(10) * 10;
    this.restart();
  }

  get alive(): boolean {
    return this.core !== null;
  }

  get durableCommit(): number {
    return this.#durable.hardState.commit;
  }

  /** True while the disk still marks this node recovering (or a persist is in flight). */
  get durablyRecovering(): boolean {
    const hardState = this.#durable.hardState;
    return this.#inFlight !== null || hardState.recovering === true || hardState.term === 0;
  }

  /** Rebuilds the core and the state machine from the durable store only. */
  restart(): void {
    assert(this.core === null, `restarting live node ${this.id}`);
    const durable = this.#durable;
    this.core = new RaftCore(this.#config, {
      hardState: durable.hardState, snapshot: durable.snapshot?.meta ?? null,
      entries: durable.entries,
      ...(durable.snapshot === null ? {} : { snapshotData: durable.snapshot.data }),
    }, this.#random.fork());
    this.kv = durable.snapshot === null ? new Map() : decodeKv(durable.snapshot.data);
    this.appliedIndex = durable.snapshot?.meta.index ?? 0;
    this.incarnation += 1;
    this.pendingCrash = null;
  }

  /** Loses everything not in the durable store. */
  crash(restartAtMs: number): void {
    this.core = null;
    this.#inFlight = null;
    this.kv = new Map();
    this.pendingCrash = null;
    this.restartAtMs = restartAtMs;
  }

  /**
   * Crashes and loses the disk: it comes back empty (new hardware) or from its last backup,
   * marked recovering as `snapshot restore` marks it. `forgetRecovering` plants the bug of a
   * restore that keeps the node's term but not the mark, so the node trusts a log it lost.
   * It is started with `voters`, the cluster's members now, as an operator would start it.
   */
  loseDisk(restartAtMs: number, loss: DiskLoss, forgetRecovering: boolean,
    voters: readonly NodeId[]): void {
    this.#config = { ...this.#config, voters };
    const term = this.#durable.hardState.term;
    const image = loss === 'olderImage' ? this.#backup : null;
    const commit = image?.meta.index ?? 0;
    this.#durable.snapshot = image;
    this.#durable.entries = [];
    this.#durable.hardState = forgetRecovering
      ? { term, vote: null, commit }
      : { term: image?.meta.term ?? 0, vote: null, commit, recovering: true };
    this.crash(restartAtMs);
  }

  #persist(ready: Ready): void {
    const durable = this.#durable;
    if (ready.snapshot !== null) {
      durable.snapshot = ready.snapshot;
      durable.entries = [];
    }
    const first = ready.entries[0];
    if (first !== undefined) {
      const base = durable.snapshot?.meta.index ?? 0;
      assert(first.index <= base + durable.entries.length + 1, `WAL gap on ${this.id}`);
      assert(first.index > durable.hardState.commit, `WAL truncation below commit on ${this.id}`);
      durable.entries.length = first.index - base - 1;
      appendAll(durable.entries, ready.entries);
    }
    // As the driver: a hard state whose only change is the commit index is not written.
    if (ready.hardState !== null && mustPersist(ready)) durable.hardState = ready.hardState;
  }

  /** True while a Ready's persist (its WAL fsync) is in flight. */
  get persisting(): boolean {
    return this.#inFlight !== null;
  }

  /**
   * Takes the next Ready and sends what may precede its persist (a leader's appends of a
   * durable term, as the real driver). A persist that takes time stays in flight across steps:
   * the simulation keeps stepping messages, ticks, proposals and reads into the core meanwhile,
   * as the driver does during its fsync. Returns false if the node crashed.
   */
  beginReady(hooks: SimNodeHooks, nowMs: number, persistMs: number, restartAtMs: number): boolean {
    const core = this.core;
    assert(core !== null && this.#inFlight === null, `beginReady on ${this.id} while busy or down`);
    const ready = core.ready();
    const durableTerm = core.durableTerm;
    const sent = new Set<RaftMessage>(ready.messages.filter((message) =>
      mayPrecedePersist(message, durableTerm)));
    hooks.send(this, [...sent]);
    // As the driver: committed entries already durable here apply before this persist.
    const durable = committedBeforePersist(ready, core.durableIndex);
    this.#applyEntries(hooks, ready.committedEntries.slice(0, durable));
        this.#inFlight = { ready, sent, doneAtMs: nowMs + (mustPersist(ready) ? persistMs : 0),
      afterPersist: ready.committedEntries.slice(durable) };
    return this.finishIfDue(hooks, nowMs, restartAtMs);
  }

  /**
   * While the persist is in flight, sends the appends of entries proposed meanwhile (the
   * driver's early messages); once it is due, persists, sends the rest, applies and advances.
   * Returns false if the node crashed.
   */
  finishIfDue(hooks: SimNodeHooks, nowMs: number, restartAtMs: number): boolean {
    const core = this.core;
    const inFlight = this.#inFlight;
    assert(core !== null && inFlight !== null, `finishIfDue on ${this.id} with nothing in flight`);
    if (nowMs < inFlight.doneAtMs) {
      hooks.send(this, core.takeEarlyMessages());
      if (inFlight.ready.snapshot === null && inFlight.afterPersist.length === 0) {
        this.#applyEntries(hooks, core.takeDurableCommitted());
      }
      return true;
    }
    this.#inFlight = null;
    const { ready, sent, afterPersist } = inFlight;
    if (this.pendingCrash === 'beforePersist') {
      this.crash(restartAtMs);
      return false;
    }
    this.#persist(ready);
    if (this.pendingCrash === 'afterPersist') {
      this.crash(restartAtMs);
      return false;
    }
    hooks.send(this, ready.messages.filter((message) => !sent.has(message)));
    if (this.pendingCrash === 'afterSend') {
      this.crash(restartAtMs);
      return false;
    }
    this.#apply(hooks, ready, afterPersist);
    core.advance(ready);
    this.#maybeCompact(core);
    return true;
  }

  #apply(hooks: SimNodeHooks, ready: Ready, entries: readonly Entry[]): void {
    if (ready.snapshot !== null) {
      this.kv = decodeKv(ready.snapshot.data);
      this.appliedIndex = ready.snapshot.meta.index;
    }
    this.#applyEntries(hooks, entries);
    for (const readState of ready.readStates) hooks.readState(this, readState);
  }

  #applyEntries(hooks: SimNodeHooks, entries: readonly Entry[]): void {
    for (const entry of entries) {
      assert(entry.index === this.appliedIndex + 1, `${this.id} applies out of order`);
      hooks.applied(this, entry);
      if (entry.type === 'command') {
        const command = parseCommand(entry.data);
        this.kv.set(command.key, command.value);
      }
      this.appliedIndex = entry.index;
    }
  }

  #maybeCompact(core: RaftCore): void {
    const snapshotIndex = this.#durable.snapshot?.meta.index ?? 0;
    if (this.appliedIndex - snapshotIndex < this.#compactEveryEntries) return;
    const data = encodeKv(this.kv);
    const meta = core.compact(this.appliedIndex, data);
    if (meta === null) return;
    this.#durable.snapshot = { meta, data };
    this.#backup = this.#durable.snapshot;
    this.#durable.entries = this.#durable.entries.filter((entry) => entry.index > meta.index);
  }
}
