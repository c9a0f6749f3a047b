import { assert } from '../lib/index.js';
import type { Snapshot } from './ready.js';
import type { Entry, SnapshotMeta } from './types.js';

/**
 * The in-memory Raft log after the last snapshot, split by durability: entries above
 * `stableIndex` are not yet persisted and are handed to the driver in the next Ready.
 */
export class RaftLog {
  /** Index and term of the last entry folded into a snapshot (0/0 for none). */
  #snapshotIndex: number;
  #snapshotTerm: number;
  /** entries[i].index === snapshotIndex + 1 + i, strictly contiguous. */
  #entries: Entry[];
  /** Highest index the driver has persisted; entries above it go out in the next Ready. */
  #stableIndex: number;
  /** Highest index known committed; never decreases, never above lastIndex. */
  #committed: number;
  /** Highest index handed to the state machine; applied <= committed. */
  #applied: number;
  /** A snapshot received from the leader, not yet persisted by the driver. */
  #unstableSnapshot: Snapshot | null = null;

  constructor(snapshot: SnapshotMeta | null, entries: readonly Entry[], committed: number,
    applied: number) {
    this.#snapshotIndex = snapshot?.index ?? 0;
    this.#snapshotTerm = snapshot?.term ?? 0;
    this.#entries = [...entries];
    entries.forEach((entry, offset) => {
      assert(entry.index === this.#snapshotIndex + 1 + offset, 'restored log not contiguous');
    });
    this.#stableIndex = this.lastIndex();
    this.#committed = Math.max(committed, this.#snapshotIndex);
    this.#applied = Math.max(applied, this.#snapshotIndex);
    assert(this.#committed <= this.lastIndex(), 'restored commit beyond the log');
    assert(this.#applied <= this.#committed, 'restored applied beyond commit');
  }

  get committed(): number {
    return this.#committed;
  }

  get applied(): number {
    return this.#applied;
  }

  get snapshotIndex(): number {
    return this.#snapshotIndex;
  }

  get snapshotTerm(): number {
    return this.#snapshotTerm;
  }

  firstIndex(): number {
    return this.#snapshotIndex + 1;
  }

  lastIndex(): number {
    return this.#snapshotIndex + this.#entries.length;
  }

  lastTerm(): number {
    const last = this.#entries[this.#entries.length - 1];
    return last === undefined ? this.#snapshotTerm : last.term;
  }

  /** The term at `index`, or undefined when it is compacted away or beyond the log. */
  term(index: number): number | undefined {
    if (index === this.#snapshotIndex) return this.#snapshotTerm;
    if (index < this.#snapshotIndex) return undefined;
    return this.#entries[index - this.#snapshotIndex - 1]?.term;
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  entry(index: number): Entry | undefined {
    if (index <= this.#snapshotIndex) return undefined;
    return this.#entries[index - this.#snapshotIndex - 1];
  }

  /** Entries with index in [from, to), clamped to what the log holds. */
  slice(from: number, to: number): Entry[] {
    assert(from > this.#snapshotIndex, `slice from compacted index ${from}`);
    const start = from - this.#snapshotIndex - 1;
    const end = Math.min(to, this.lastIndex() + 1) - this.#snapshotIndex - 1;
    return end <= start ? [] : this.#entries.slice(start, end);
  }

  /** True when a candidate's log is at least as up to date as ours (Raft §5.4.1). */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const ourTerm = this.lastTerm();
    return lastTerm > ourTerm || (lastTerm === ourTerm && lastIndex >= this.lastIndex());
  }

  /** Leader append: entries must directly follow the last index. */
  append(entries: readonly Entry[]): void {
    for (const entry of entries) {
      assert(entry.index === this.lastIndex() + 1, 'leader append not contiguous');
      this.#entries.push(entry);
    }
  }

  /**
   * Follower append after a matching prev entry: skips entries we already hold, truncates from
   * the first conflict (never below commit) and appends the rest. Returns the last new index.
   */
  appendAfter(prevIndex: number, entries: readonly Entry[]): number {
    assert(this.term(prevIndex) !== undefined, `append after missing entry ${prevIndex}`);
    for (const entry of entries) {
      if (entry.index <= this.#snapshotIndex) continue;
      const existing = this.term(entry.index);
      if (existing === entry.term) continue;
      if (existing !== undefined) {
        assert(entry.index > this.#committed, `truncating committed entry ${entry.index}`);
        this.#entries.length = entry.index - this.#snapshotIndex - 1;
        this.#stableIndex = Math.min(this.#stableIndex, entry.index - 1);
      }
      assert(entry.index === this.lastIndex() + 1, 'follower append leaves a gap');
      this.#entries.push(entry);
    }
    return prevIndex + entries.length;
  }

  /** First index of the term at `index`, scanning back no further than the log holds. */
  firstIndexOfTerm(index: number): number {
    const term = this.term(index);
    assert(term !== undefined, 'firstIndexOfTerm on a missing entry');
    let first = index;
    while (first - 1 > this.#snapshotIndex && this.term(first - 1) === term) first -= 1;
    return first;
  }

  /** Last index whose entry has `term`, or undefined if the log holds no entry of it. */
  lastIndexOfTerm(term: number): number | undefined {
    for (let index = this.lastIndex(); index > this.#snapshotIndex; index -= 1) {
      const entryTerm = this.term(index) ?? 0;
      if (entryTerm === term) return index;
      if (entryTerm < term) return undefined;
    }
    return undefined;
  }

  commitTo(index: number): boolean {
    if (index <= this.#committed) return false;
    assert(index <= this.lastIndex(), `commit ${index} beyond last ${this.lastIndex()}`);
    this.#committed = index;
    return true;
  }

  appliedTo(index: number): void {
    assert(index >= this.#applied, 'applied index went backwards');
    assert(index <= this.#committed, 'applied beyond commit');
    this.#applied = index;
  }

  /** Committed entries not yet handed to the state machine. */
  nextCommitted(limit: number): Entry[] {
    const from = Math.max(this.#applied, this.#snapshotIndex) + 1;
    return from > this.#committed ? [] : this.slice(from, Math.min(this.#committed + 1,
      from + limit));
  }

  unstableEntries(): Entry[] {
    return this.#stableIndex >= this.lastIndex() ? [] : this.slice(this.#stableIndex + 1,
      this.lastIndex() + 1);
  }

  hasUnstable(): boolean {
    return this.#stableIndex < this.lastIndex() || this.#unstableSnapshot !== null;
  }

  /** The last index the driver has made durable. */
  stableIndex(): number {
    return this.#stableIndex;
  }

  /** The driver persisted entries up to `index` (ignored if the log changed since). */
  stableTo(index: number, term: number): void {
    if (this.term(index) === term && index > this.#stableIndex) this.#stableIndex = index;
  }

  get unstableSnapshot(): Snapshot | null {
    return this.#unstableSnapshot;
  }

  snapshotPersisted(index: number): void {
    if (this.#unstableSnapshot?.meta.index === index) this.#unstableSnapshot = null;
  }

  /** Replaces the whole log with a snapshot from the leader (beyond our commit). */
  restore(snapshot: Snapshot): void {
    assert(snapshot.meta.index > this.#committed, 'restoring a snapshot behind commit');
    this.#snapshotIndex = snapshot.meta.index;
    this.#snapshotTerm = snapshot.meta.term;
    this.#entries = [];
    this.#stableIndex = snapshot.meta.index;
    this.#committed = snapshot.meta.index;
    this.#unstableSnapshot = snapshot;
  }

  /** Marks entries up to the installed snapshot as applied (after the driver installed it). */
  snapshotApplied(index: number): void {
    if (index > this.#applied) this.#applied = index;
  }

  /** Drops entries up to `index`, which the driver persisted, applied and snapshotted. */
  compact(index: number): void {
    assert(index <= this.#applied, `compacting ${index} beyond applied ${this.#applied}`);
    assert(index <= this.#stableIndex, 'compacting unpersisted entries');
    if (index <= this.#snapshotIndex) return;
    const term = this.term(index);
    assert(term !== undefined, 'compacting a missing entry');
    this.#entries = this.#entries.slice(index - this.#snapshotIndex);
    this.#snapshotIndex = index;
    this.#snapshotTerm = term;
  }

  /** Every entry held in memory (tests and the simulation's checkers). */
  allEntries(): readonly Entry[] {
    return this.#entries;
  }
}
