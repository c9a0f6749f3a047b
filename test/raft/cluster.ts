import { Random } from '../../src/lib/random.js';
import type { RaftConfig } from '../../src/raft/config.js';
import type { RaftMessage } from '../../src/raft/messages.js';
import { RaftCore } from '../../src/raft/raft-core.js';
import { mustPersist } from '../../src/raft/ready.js';
import type { ReadState, Snapshot } from '../../src/raft/ready.js';
import type { Entry, HardState, NodeId } from '../../src/raft/types.js';

/** One node of the test cluster: a core plus what its driver persisted and applied. */
export interface TestNode {
  core: RaftCore;
  hardState: HardState;
  entries: Entry[];
  snapshot: Snapshot | null;
  applied: Entry[];
  readStates: ReadState[];
}

/** Bound on delivery rounds: a cluster that never settles is a bug. */
const ROUNDS_MAX = 200;

/** A synchronous in-process cluster: deliver messages by hand, cut links, count traffic. */
export class TestCluster {
  readonly nodes = new Map<NodeId, TestNode>();
  /** The voters every node starts with (a node added later is given its own). */
  readonly #initialVoters: readonly NodeId[];
  inflight: RaftMessage[] = [];
  readonly isolated = new Set<NodeId>();
  /** Return false to drop a message. */
  filter: (message: RaftMessage) => boolean = () => true;
  sent: RaftMessage[] = [];
  readonly #config: Partial<RaftConfig>;
  readonly #random: Random;

  constructor(ids: readonly NodeId[], config: Partial<RaftConfig> = {}, seed = 1) {
    this.#initialVoters = ids;
    this.#config = config;
    this.#random = new Random(seed);
    for (const id of ids) this.addNode(id, ids);
  }

  /** Every node's id, in the order added. */
  get ids(): NodeId[] {
    return [...this.nodes.keys()];
  }

  /** Starts a new node with an empty disk that believes `voters` are the members. */
  addNode(id: NodeId, voters: readonly NodeId[]): void {
    this.nodes.set(id, {
      core: this.#newCore(id, { term: 0, vote: null, commit: 0 }, null, [], voters),
      hardState: { term: 0, vote: null, commit: 0 }, entries: [], snapshot: null, applied: [],
      readStates: [],
    });
  }

  #newCore(id: NodeId, hardState: HardState, snapshot: Snapshot | null,
    entries: readonly Entry[], voters: readonly NodeId[] = this.#initialVoters): RaftCore {
    return new RaftCore({ voters, ...this.#config, id }, {
      hardState, snapshot: snapshot?.meta ?? null, entries,
      ...(snapshot === null ? {} : { snapshotData: snapshot.data }),
    }, this.#random.fork());
  }

  node(id: NodeId): TestNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  core(id: NodeId): RaftCore {
    return this.node(id).core;
  }

  /** Rebuilds a node's core from what it persisted (its applied list restarts too). */
  restart(id: NodeId): void {
    const node = this.node(id);
    node.core = this.#newCore(id, node.hardState, node.snapshot, node.entries);
    node.applied = [];
  }

  /** The node's disk is lost: it restarts with nothing, as a new machine with the same id. */
  wipe(id: NodeId): void {
    const node = this.node(id);
    node.hardState = { term: 0, vote: null, commit: 0 };
    node.entries = [];
    node.snapshot = null;
    this.restart(id);
  }

  /**
   * The node restarts from an older copy of its disk (a restored backup): its log ends at
   * `index` and it knows it may lack what it acknowledged since.
   */
  restoreOlder(id: NodeId, index: number): void {
    const node = this.node(id);
    node.entries = node.entries.filter((entry) => entry.index <= index);
    const term = node.entries.at(-1)?.term ?? 0;
    node.hardState = { term, vote: null, commit: Math.min(node.hardState.commit, index),
      recovering: true };
    this.restart(id);
  }

  /** Persists, queues messages and applies every pending Ready. */
  processReadies(): boolean {
    let any = false;
    for (const [id, node] of this.nodes) {
      for (let round = 0; round < ROUNDS_MAX && node.core.hasReady(); round += 1) {
        any = true;
        const ready = node.core.ready();
        if (ready.snapshot !== null) {
          node.snapshot = ready.snapshot;
          node.entries = [];
        }
        const first = ready.entries[0];
        if (first !== undefined) {
          node.entries = node.entries.filter((entry) => entry.index < first.index);
          node.entries.push(...ready.entries);
        }
        // As the node's driver: a hard state whose only change is commit is not written.
        if (ready.hardState !== null && mustPersist(ready)) node.hardState = ready.hardState;
        for (const message of ready.messages) {
          this.sent.push(message);
          if (this.isolated.has(id) || this.isolated.has(message.to)) continue;
          if (this.filter(message)) this.inflight.push(message);
        }
        node.applied.push(...ready.committedEntries);
        node.readStates.push(...ready.readStates);
        node.core.advance(ready);
      }
    }
    return any;
  }

  /** Delivers every queued message once (new ones wait for the next call). */
  deliver(): number {
    const batch = this.inflight;
    this.inflight = [];
    for (const message of batch) {
      if (this.isolated.has(message.to) || this.isolated.has(message.from)) continue;
      this.node(message.to).core.step(message);
    }
    return batch.length;
  }

  /** Runs Ready/deliver rounds until nothing moves (bounded). */
  stabilize(): void {
    for (let round = 0; round < ROUNDS_MAX; round += 1) {
      const readied = this.processReadies();
      if (this.deliver() === 0 && !readied) return;
    }
    throw new Error('cluster did not stabilize');
  }

  tick(id: NodeId, ticks = 1): void {
    for (let i = 0; i < ticks; i += 1) this.core(id).tick();
  }

  /** Ticks every node `ticks` times, stabilizing after each tick. */
  tickAll(ticks: number): void {
    for (let i = 0; i < ticks; i += 1) {
      for (const id of this.ids) this.core(id).tick();
      this.stabilize();
    }
  }

  leaders(): NodeId[] {
    return this.ids.filter((id) => this.core(id).status().role === 'Leader');
  }

  /** Campaigns `id` and settles; returns the cluster for chaining. */
  elect(id: NodeId): this {
    this.core(id).campaign();
    this.stabilize();
    // One heartbeat carries the first commit to every follower: only then has a new cluster
    // finished recovering (a follower that never learned a commit votes for no intact node).
    this.core(id).tick();
    this.stabilize();
    return this;
  }

  /** Payloads applied by `id`, decoded as text (noops and configs skipped). */
  appliedText(id: NodeId): string[] {
    const decoder = new TextDecoder();
    return this.node(id).applied.filter((entry) => entry.type === 'command')
      .map((entry) => decoder.decode(entry.data));
  }
}

/** UTF-8 bytes of a test command. */
export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
