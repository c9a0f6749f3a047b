import { assert } from '../lib/index.js';
import type { Random } from '../lib/index.js';
import { mayPrecedePersist, RaftCore } from '../raft/index.js';
import type {
  Entry, HardState, NodeId, RaftConfig, RaftMessage, ReadState, Snapshot,
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
  readonly #config: RaftConfig;
  readonly #random: Random;
  readonly #compactEveryEntries: number;
  readonly #durable: DurableStore = {
    hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [],
  };
  /** The newest snapshot this node wrote: what an operator's backup of it would hold. */
  #backup: Snapshot | null = null;
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
    this.kv = new Map();
    this.pendingCrash = null;
    this.restartAtMs = restartAtMs;
  }

  /**
   * Crashes and loses the disk: it comes back empty (new hardware) or from its last backup,
   * marked recovering as `snapshot restore` marks it. `forgetRecovering` plants the bug of a
   * restore that keeps the node's term but not the mark, so the node trusts a log it lost.
   */
  loseDisk(restartAtMs: number, loss: DiskLoss, forgetRecovering: boolean): void {
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

  #persist(ready: ReturnType<RaftCore['ready']>): void {
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
      durable.entries.push(...ready.entries);
    }
    if (ready.hardState !== null) durable.hardState = ready.hardState;
  }

  /** Runs one Ready through persist → send → apply → advance; returns false if it crashed. */
  handleReady(hooks: SimNodeHooks, restartAtMs: number): boolean {
    const core = this.core;
    assert(core !== null, 'handleReady on a crashed node');
    const ready = core.ready();
    // As the real driver: a leader's appends leave before its own fsync (a crash may then
    // lose entries that followers already hold).
    const durableTerm = core.durableTerm;
    const early = ready.messages.filter((message) => mayPrecedePersist(message, durableTerm));
    hooks.send(this, early);
    if (this.pendingCrash === 'beforePersist') {
      this.crash(restartAtMs);
      return false;
    }
    this.#persist(ready);
    if (this.pendingCrash === 'afterPersist') {
      this.crash(restartAtMs);
      return false;
    }
    hooks.send(this, ready.messages.filter((message) => !mayPrecedePersist(message, durableTerm)));
    if (this.pendingCrash === 'afterSend') {
      this.crash(restartAtMs);
      return false;
    }
    if (ready.snapshot !== null) {
      this.kv = decodeKv(ready.snapshot.data);
      this.appliedIndex = ready.snapshot.meta.index;
    }
    for (const entry of ready.committedEntries) {
      assert(entry.index === this.appliedIndex + 1, `${this.id} applies out of order`);
      hooks.applied(this, entry);
      if (entry.type === 'command') {
        const command = parseCommand(entry.data);
        this.kv.set(command.key, command.value);
      }
      this.appliedIndex = entry.index;
    }
    for (const readState of ready.readStates) hooks.readState(this, readState);
    core.advance(ready);
    this.#maybeCompact(core);
    return true;
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
