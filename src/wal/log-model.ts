import { assert } from '../lib/index.js';
import type { Entry, HardState, SnapshotMeta } from '../raft/index.js';

/** The hard state of a node that has never voted or committed. */
export const INITIAL_HARD_STATE: HardState = { term: 0, vote: null, commit: 0 };

/**
 * What the records written so far mean: hard state, snapshot and the log after the snapshot.
 * Replay and the live writer apply records through this one class, so a restart rebuilds
 * exactly the state the writer had. While replaying it also keeps the entries themselves;
 * live, only their terms (the node keeps the entries).
 */
export class LogModel {
  hardState: HardState = INITIAL_HARD_STATE;
  snapshot: SnapshotMeta | null = null;
  /** Index of terms[0] (and entries[0]); meaningful when terms is non-empty. */
  #firstIndex = 0;
  /** Invariant: terms[i] is the term of entry firstIndex + i; all indexes > snapshot index. */
  #terms: number[] = [];
  #entries: Entry[] | null;
  /** Replay of a compacted log may start past snapshot + 1; checked again by `finishReplay`. */
  #allowStartGap: boolean;

  constructor(keepEntries: boolean) {
    this.#entries = keepEntries ? [] : null;
    this.#allowStartGap = keepEntries;
  }

  /** Index of the last entry, or of the snapshot when the log after it is empty. */
  lastIndex(): number {
    if (this.#terms.length > 0) return this.#firstIndex + this.#terms.length - 1;
    return this.snapshot?.index ?? 0;
  }

  /** Index of the first entry held, or lastIndex + 1 when none. */
  firstIndex(): number {
    return this.#terms.length > 0 ? this.#firstIndex : this.lastIndex() + 1;
  }

  /** Term of entry `index` if known (the snapshot's own index included). */
  termAt(index: number): number | undefined {
    if (this.snapshot !== null && index === this.snapshot.index) return this.snapshot.term;
    return this.#terms[index - this.#firstIndex];
  }

  /** Why `entry` cannot be appended next, or null when it can. */
  appendProblem(entry: Entry): string | null {
    if (!Number.isSafeInteger(entry.index) || entry.index < 1) return `bad index ${entry.index}`;
    if (!Number.isSafeInteger(entry.term) || entry.term < 0) return `bad term ${entry.term}`;
    const snapshotIndex = this.snapshot?.index ?? 0;
    if (entry.index <= snapshotIndex) {
      return `entry ${entry.index} is covered by the snapshot at ${snapshotIndex}`;
    }
    const gapAllowed = this.#allowStartGap && this.#terms.length === 0;
    if (entry.index > this.lastIndex() + 1 && !gapAllowed) {
      return `entry ${entry.index} leaves a gap after ${this.lastIndex()}`;
    }
    return null;
  }

  /** Appends `entry`, first dropping any entries at or after its index (a Raft overwrite). */
  append(entry: Entry): void {
    const problem = this.appendProblem(entry);
    assert(problem === null, `append: ${problem}`);
    this.#allowStartGap = false;
    if (this.#terms.length === 0 || entry.index < this.#firstIndex) {
      // Replay of a compacted log can overwrite below the first entry it has seen.
      this.#terms = [];
      if (this.#entries !== null) this.#entries = [];
      this.#firstIndex = entry.index;
    }
    const keep = entry.index - this.#firstIndex;
    if (keep < this.#terms.length) {
      this.#terms.length = keep;
      if (this.#entries !== null) this.#entries.length = keep;
    }
    this.#terms.push(entry.term);
    this.#entries?.push(entry);
  }

  /** Whether installing `snapshot` keeps the entries after it (Raft §7: iff the log matches). */
  keepsSuffix(snapshot: SnapshotMeta): boolean {
    const term = this.termAt(snapshot.index);
    if (term !== undefined) return term === snapshot.term;
    // Nothing known at that index: keep only if our entries start right after it.
    return this.#terms.length === 0 || this.#firstIndex === snapshot.index + 1;
  }

  /** Installs a snapshot: entries up to it go; those after stay only if `keepSuffix`. */
  applySnapshot(snapshot: SnapshotMeta, keepSuffix: boolean): void {
    if (!keepSuffix) {
      this.#terms = [];
      if (this.#entries !== null) this.#entries = [];
    } else if (this.#terms.length > 0) {
      const drop = Math.min(this.#terms.length, Math.max(0, snapshot.index + 1 - this.#firstIndex));
      this.#terms.splice(0, drop);
      this.#entries?.splice(0, drop);
      this.#firstIndex += drop;
    }
    this.snapshot = snapshot;
  }

  /** Ends replay: the entries restored (all after the snapshot); only terms are kept after. */
  finishReplay(): Entry[] {
    const entries = this.#entries;
    assert(entries !== null, 'finishReplay on a live model');
    this.#entries = null;
    this.#allowStartGap = false;
    return entries;
  }
}
