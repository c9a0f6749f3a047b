import { hostClockMs } from '../lib/index.js';

/**
 * What a node saw of each recent log entry, hop by hop, as milliseconds of the host's
 * monotonic clock (lib/host-clock.ts, with fractions) so that nodes on one host can be lined
 * up: the leader's `received` (the request entered its loop), `proposed`, `walStart`/`walEnd`
 * (its own fsync), `sent:<peer>` (the first append carrying the entry) and `acked:<peer>` (the
 * first answer covering it); a follower's
 * `appendReceived`, `walStart`/`walEnd` and `ackSent`; on every node `committed`, `applyStart`,
 * `answered` (outcomes handed to the waiting clients) and `applied` (the storage batch written).
 * Served at `GET /debug/write-hops`; the cluster bench joins the nodes' views into the per-hop
 * breakdown of docs/benchmarks.md. After a leader change an index may name a replaced entry;
 * its times then mix both (a diagnostic, not a record).
 */
export type HopTimes = Readonly<Record<string, number>>;

/** One entry's hops on this node. */
export interface EntryHops {
  readonly index: number;
  readonly at: HopTimes;
}

/** Entries remembered; older ones are forgotten first (a few seconds of writes at full load). */
const ENTRIES_MAX = 8_192;

/**
 * A bounded record of the hops of recent entries. Only the first time of each hop counts (a
 * resent append or a repeated answer does not move it). Recording never fails and never
 * allocates per entry beyond its small record, so it stays on in production.
 */
export class WriteHops {
  readonly #entries = new Map<number, Record<string, number>>();
  /** Per answer hop (`ackSent`, `acked:<peer>`): entries up to here have their time. */
  readonly #through = new Map<string, number>();
  readonly #now: () => number;

  constructor(now: () => number = hostClockMs) {
    this.#now = now;
  }

  /** The leader appended `index` for a request that entered its loop at `receivedMs` (host clock). */
  proposed(index: number, receivedMs: number): void {
    const at = this.#entry(index, true);
    at['received'] ??= receivedMs;
    at['proposed'] ??= this.#now();
  }

  /** A follower got an append carrying entries `first..last`. */
  appendReceived(first: number, last: number): void {
    this.#mark(first, last, 'appendReceived', true);
  }

  /** Marks `hop` now for entries `first..last` this node already tracks. */
  reached(hop: 'walStart' | 'walEnd' | 'committed' | 'applyStart' | 'answered' | 'applied', first: number, last: number): void {
    this.#mark(first, last, hop, false);
  }

  /** The leader streamed an append carrying entries `first..last` to `peer`. */
  sent(peer: string, first: number, last: number): void {
    this.#mark(first, last, `sent:${peer}`, false);
  }

  /** A follower answered its leader that its log matches through `matchIndex`. */
  ackSent(matchIndex: number): void {
    this.#markThrough('ackSent', matchIndex);
  }

  /** The leader heard from `peer` that its log matches through `matchIndex`. */
  acked(peer: string, matchIndex: number): void {
    this.#markThrough(`acked:${peer}`, matchIndex);
  }

  /** The entries remembered, oldest first. */
  recent(): EntryHops[] {
    return [...this.#entries].map(([index, at]) => ({ index, at: { ...at } }));
  }

  #mark(first: number, last: number, hop: string, create: boolean): void {
    if (last < first) return;
    const now = this.#now();
    // A long range (a follower catching up) records only the newest entries it can keep.
    for (let index = Math.max(first, last - ENTRIES_MAX + 1); index <= last; index++) {
      const at = this.#entry(index, create);
      if (at !== undefined) at[hop] ??= now;
    }
  }

  #entry(index: number, create: true): Record<string, number>;
  #entry(index: number, create: boolean): Record<string, number> | undefined;
  #entry(index: number, create: boolean): Record<string, number> | undefined {
    const known = this.#entries.get(index);
    if (known !== undefined || !create) return known;
    const at: Record<string, number> = {};
    this.#entries.set(index, at);
    if (this.#entries.size > ENTRIES_MAX) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    return at;
  }

  /** An answer covers every entry up to `matchIndex`: marks those it is the first to cover. */
  #markThrough(hop: string, matchIndex: number): void {
    const oldest = this.#oldest();
    if (oldest === null) return;
    const from = Math.max(oldest, (this.#through.get(hop) ?? 0) + 1);
    if (matchIndex < from) return;
    this.#mark(from, matchIndex, hop, false);
    this.#through.set(hop, matchIndex);
  }

  #oldest(): number | null {
    const oldest = this.#entries.keys().next();
    return oldest.done === true ? null : oldest.value;
  }
}
