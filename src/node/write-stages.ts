/** Where a write this node proposed spent its time, stage by stage (see docs/benchmarks.md). */
export type WriteStage = 'queued' | 'persist' | 'replicate' | 'apply_wait' | 'apply' | 'total';

/** What one stage added up to since the node started. */
export interface StageTotal {
  readonly writes: number;
  readonly seconds: number;
}

interface Tracked {
  readonly enqueuedMs: number;
  readonly proposedMs: number;
  persistedMs: number | null;
  committedMs: number | null;
}

/** Entries tracked at once; older ones (a leader that lost its term) are dropped. */
const TRACKED_MAX = 10_000;
const STAGES: readonly WriteStage[] = ['queued', 'persist', 'replicate', 'apply_wait', 'apply', 'total'];

/**
 * The trace of the writes this node proposes, from the request entering the loop to its apply:
 * queued (inbox), persist (own WAL fsync), replicate (fsync done → committed, the followers'
 * round trip where it is not hidden behind the fsync), apply_wait, apply. Totals only: an
 * operator reads the averages from /metrics, the bench from two scrapes.
 */
export class WriteStages {
  readonly #tracked = new Map<number, Tracked>();
  readonly #totals = new Map<WriteStage, { writes: number; seconds: number }>(
    STAGES.map((stage) => [stage, { writes: 0, seconds: 0 }]));
  /** Every WAL save of this node, leader or follower (a follower's share of a write). */
  #saves = { writes: 0, seconds: 0 };

  /** The proposal at `index` was appended at `proposedMs`; its request arrived at `enqueuedMs`. */
  proposed(index: number, enqueuedMs: number, proposedMs: number): void {
    if (this.#tracked.size >= TRACKED_MAX) {
      const oldest = this.#tracked.keys().next().value;
      if (oldest !== undefined) this.#tracked.delete(oldest);
    }
    this.#tracked.set(index, { enqueuedMs, proposedMs, persistedMs: null, committedMs: null });
  }

  /** A WAL save holding entries `first..last` (none: 0, -1) ended; it took `ms`. */
  saved(first: number, last: number, endMs: number, ms: number): void {
    this.#saves.writes += 1;
    this.#saves.seconds += ms / 1000;
    if (this.#tracked.size === 0) return;
    for (let index = first; index <= last; index += 1) {
      const entry = this.#tracked.get(index);
      if (entry !== undefined && entry.persistedMs === null) entry.persistedMs = endMs;
    }
  }

  /** Entries `first..last` were handed to apply (they are committed). */
  committed(first: number, last: number, nowMs: number): void {
    if (this.#tracked.size === 0) return;
    for (let index = first; index <= last; index += 1) {
      const entry = this.#tracked.get(index);
      if (entry !== undefined) entry.committedMs = nowMs;
    }
  }

  /** Entries `first..last` were applied between `startMs` and `endMs`. */
  applied(first: number, last: number, startMs: number, endMs: number): void {
    if (this.#tracked.size === 0) return;
    for (let index = first; index <= last; index += 1) {
      const entry = this.#tracked.get(index);
      if (entry === undefined) continue;
      this.#tracked.delete(index);
      const persisted = entry.persistedMs ?? entry.proposedMs;
      const committed = entry.committedMs ?? startMs;
      this.#add('queued', entry.proposedMs - entry.enqueuedMs);
      this.#add('persist', persisted - entry.proposedMs);
      this.#add('replicate', Math.max(0, committed - persisted));
      this.#add('apply_wait', Math.max(0, startMs - committed));
      this.#add('apply', endMs - startMs);
      this.#add('total', endMs - entry.enqueuedMs);
    }
  }

  #add(stage: WriteStage, ms: number): void {
    const total = this.#totals.get(stage);
    if (total === undefined) return;
    total.writes += 1;
    total.seconds += ms / 1000;
  }

  /** Totals per stage of this node's own writes, and of all its WAL saves. */
  totals(): { readonly stages: ReadonlyMap<WriteStage, StageTotal>; readonly walSaves: StageTotal } {
    return { stages: this.#totals, walSaves: this.#saves };
  }
}
