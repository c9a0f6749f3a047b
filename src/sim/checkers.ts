import type { Entry, NodeId, RaftCore } from '../raft/index.js';
import { describePayload } from './kv.js';

/** What the checkers read of one simulated node (the core's view of its log). */
export interface CheckedNode {
  readonly id: NodeId;
  readonly core: Pick<RaftCore, 'status' | 'logView'> | null;
  /** Bumped on each restart: monotonic checks hold within one incarnation. */
  readonly incarnation: number;
  readonly appliedIndex: number;
  /** The commit index the node's disk recorded (0 when unknown). */
  readonly durableCommit: number;
}

/** Thrown by a checker; the simulation adds the seed and step. */
export class InvariantViolation extends Error {
  override readonly name = 'InvariantViolation';
}

interface CommittedEntry {
  readonly key: string;
  /** Lowest leader term seen holding it committed: every later leader must hold it. */
  commitTerm: number;
}

/** Entries are immutable and shared by reference between simulated nodes: cache keys. */
const entryKeys = new WeakMap<Entry, string>();

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A payload as text: itself when it is UTF-8 (the KV simulation's), else base64 (binary commands). */
function payloadText(data: Uint8Array): string {
  try {
    strictUtf8.decode(data);
  } catch {
    return `base64:${Buffer.from(data).toString('base64')}`;
  }
  return describePayload(data);
}

/** A comparable identity of an entry: term, type and payload. */
export function entryKey(entry: Entry): string {
  let key = entryKeys.get(entry);
  if (key === undefined) {
    key = `${entry.term}/${entry.type}/${payloadText(entry.data)}`;
    entryKeys.set(entry, key);
  }
  return key;
}

/**
 * Raft's safety properties (Figure 3), checked after every step: election safety, log
 * matching, leader completeness, state-machine safety, monotonic commit and apply.
 */
export class SafetyChecker {
  readonly #leaders = new Map<number, NodeId>();
  readonly #committed = new Map<number, CommittedEntry>();
  readonly #applied = new Map<number, string>();
  /** Per node: [incarnation, commit, applied] last seen. */
  readonly #lastSeen = new Map<NodeId, [number, number, number]>();
  #maxCommitted = 0;

  get leaderCount(): number {
    return this.#leaders.size;
  }

  get appliedLog(): ReadonlyMap<number, string> {
    return this.#applied;
  }

  /** State-machine safety: no two nodes apply different entries at one index. */
  onApply(node: CheckedNode, entry: Entry): void {
    const key = entryKey(entry);
    const previous = this.#applied.get(entry.index);
    if (previous !== undefined && previous !== key) {
      throw new InvariantViolation(`state-machine safety: ${node.id} applied ${key} at ` +
        `${entry.index}, another node applied ${previous}`);
    }
    const committed = this.#committed.get(entry.index);
    if (committed !== undefined && committed.key !== key) {
      throw new InvariantViolation(`state-machine safety: ${node.id} applied ${key} at ` +
        `${entry.index}, committed was ${committed.key}`);
    }
    this.#applied.set(entry.index, key);
  }

  /** Runs every per-step check over the live nodes. */
  check(nodes: readonly CheckedNode[]): void {
    const isLeader = (node: CheckedNode): boolean => node.core?.status().role === 'Leader';
    // Leaders first, so commit terms are recorded from the node that decided them.
    const live = [...nodes.filter((n) => n.core !== null && isLeader(n)),
      ...nodes.filter((n) => n.core !== null && !isLeader(n))];
    for (const node of live) this.#checkNode(node);
    for (const node of live) this.#checkLeaderCompleteness(node);
    for (let i = 0; i < live.length; i += 1) {
      for (let j = i + 1; j < live.length; j += 1) {
        const a = live[i];
        const b = live[j];
        if (a !== undefined && b !== undefined) this.#checkLogMatching(a, b);
      }
    }
  }

  #checkNode(node: CheckedNode): void {
    const core = node.core;
    if (core === null) return;
    const status = core.status();
    if (status.role === 'Leader') {
      const other = this.#leaders.get(status.term);
      if (other !== undefined && other !== node.id) {
        throw new InvariantViolation(`election safety: ${other} and ${node.id} both lead ` +
          `term ${status.term}`);
      }
      this.#leaders.set(status.term, node.id);
    }
    const seen = this.#lastSeen.get(node.id);
    if (seen !== undefined && seen[0] === node.incarnation) {
      if (status.commitIndex < seen[1]) {
        throw new InvariantViolation(`commit of ${node.id} fell ${seen[1]} -> ` +
          `${status.commitIndex}`);
      }
      if (node.appliedIndex < seen[2]) {
        throw new InvariantViolation(`applied of ${node.id} fell ${seen[2]} -> ` +
          `${node.appliedIndex}`);
      }
    }
    if (status.commitIndex < node.durableCommit) {
      throw new InvariantViolation(`${node.id} commit ${status.commitIndex} below its ` +
        `durable commit ${node.durableCommit}`);
    }
    const from = seen !== undefined && seen[0] === node.incarnation ? seen[1] + 1 : 1;
    this.#recordCommitted(node, from, status.commitIndex, status.role === 'Leader' ?
      status.term : Number.POSITIVE_INFINITY);
    this.#lastSeen.set(node.id, [node.incarnation, status.commitIndex, node.appliedIndex]);
  }

  #recordCommitted(node: CheckedNode, from: number, to: number, commitTerm: number): void {
    const view = node.core?.logView();
    if (view === undefined) return;
    for (let index = Math.max(from, view.snapshotIndex + 1); index <= to; index += 1) {
      const entry = view.entries[index - view.snapshotIndex - 1];
      if (entry === undefined) throw new InvariantViolation(`${node.id} committed ${index} ` +
        'beyond its log');
      const key = entryKey(entry);
      const known = this.#committed.get(index);
      if (known === undefined) {
        this.#committed.set(index, { key, commitTerm });
        this.#maxCommitted = Math.max(this.#maxCommitted, index);
      } else if (known.key !== key) {
        throw new InvariantViolation(`${node.id} committed ${key} at ${index}, another node ` +
          `committed ${known.key}`);
      } else {
        known.commitTerm = Math.min(known.commitTerm, commitTerm);
      }
    }
  }

  /** A leader of term T holds every entry committed in a term before T (Raft §5.4). */
  #checkLeaderCompleteness(node: CheckedNode): void {
    const core = node.core;
    if (core === null) return;
    const status = core.status();
    if (status.role !== 'Leader') return;
    const view = core.logView();
    for (let index = view.snapshotIndex + 1; index <= this.#maxCommitted; index += 1) {
      const committed = this.#committed.get(index);
      if (committed === undefined || committed.commitTerm >= status.term) continue;
      const entry = view.entries[index - view.snapshotIndex - 1];
      if (entry === undefined || entryKey(entry) !== committed.key) {
        throw new InvariantViolation(`leader completeness: leader ${node.id} of term ` +
          `${status.term} lacks committed ${committed.key} at ${index}`);
      }
    }
  }

  /** If two logs hold an entry with the same index and term, all before it match too. */
  #checkLogMatching(a: CheckedNode, b: CheckedNode): void {
    const viewA = a.core?.logView();
    const viewB = b.core?.logView();
    if (viewA === undefined || viewB === undefined) return;
    const low = Math.max(viewA.snapshotIndex, viewB.snapshotIndex) + 1;
    const high = Math.min(viewA.snapshotIndex + viewA.entries.length,
      viewB.snapshotIndex + viewB.entries.length);
    const at = (view: typeof viewA, index: number): Entry | undefined =>
      view.entries[index - view.snapshotIndex - 1];
    let matchedUpTo = 0;
    for (let index = high; index >= low; index -= 1) {
      if (at(viewA, index)?.term === at(viewB, index)?.term) {
        matchedUpTo = index;
        break;
      }
    }
    for (let index = low; index <= matchedUpTo; index += 1) {
      const entryA = at(viewA, index);
      const entryB = at(viewB, index);
      if (entryA === entryB) continue;
      if (entryA === undefined || entryB === undefined || entryKey(entryA) !== entryKey(entryB)) {
        throw new InvariantViolation(`log matching: ${a.id} and ${b.id} agree at ` +
          `${matchedUpTo} but differ at ${index}`);
      }
    }
  }
}
