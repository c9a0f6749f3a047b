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
 * resent append or a repeated answer does not move it). Recording never fails and allocates
 * nothing per entry: times live in one column per hop, a slot per entry (its index modulo
 * ENTRIES_MAX), so a record no longer outlives a few scavenges and then burdens the old
 * generation (~0.8 KB per write on a leader when each entry had its own object).
 */
export class WriteHops {
  /** The log index each slot holds; -1 while empty. */
  readonly #indexOf = new Float64Array(ENTRIES_MAX).fill(-1);
  /** Per hop, the time each slot's entry reached it (NaN: not yet). */
  readonly #columns = new Map<string, Float64Array>();
  /** Per answer hop (`ackSent`, `acked:<peer>`): entries up to here have their time. */
  readonly #through = new Map<string, number>();
  /** Lowest and highest index ever tracked (-1: none yet). */
  #lowest = -1;
  #highest = -1;
  readonly #now: () => number;

  constructor(now: () => number = hostClockMs) {
    this.#now = now;
  }

  /** The leader appended `index` for a request that entered its loop at `receivedMs` (host clock). */
  proposed(index: number, receivedMs: number): void {
    const slot = this.#track(index, true);
    if (slot === null) return;
    this.#set('received', slot, receivedMs);
    this.#set('proposed', slot, this.#now());
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
    const entries: EntryHops[] = [];
    if (this.#highest < 0) return entries;
    for (let index = this.#oldest(); index <= this.#highest; index++) {
      const slot = index % ENTRIES_MAX;
      if (this.#indexOf[slot] !== index) continue;
      const at: Record<string, number> = {};
      for (const [hop, column] of this.#columns) {
        const time = column[slot] ?? Number.NaN;
        if (!Number.isNaN(time)) at[hop] = time;
      }
      entries.push({ index, at });
    }
    return entries;
  }

  #mark(first: number, last: number, hop: string, create: boolean): void {
    if (last < first) return;
    const now = this.#now();
    // A long range (a follower catching up) records only the newest entries it can keep.
    for (let index = Math.max(first, last - ENTRIES_MAX + 1); index <= last; index++) {
      const slot = this.#track(index, create);
      if (slot !== null) this.#set(hop, slot, now);
    }
  }

  /** The slot of `index` if tracked (or now tracked, with `create`), else null. */
  #track(index: number, create: boolean): number | null {
    if (index < 0) return null;
    const slot = index % ENTRIES_MAX;
    if (this.#indexOf[slot] === index) return slot;
    if (!create) return null;
    // The entry ENTRIES_MAX before this one (or an older leader's) gives up its slot.
    this.#indexOf[slot] = index;
    for (const column of this.#columns.values()) column[slot] = Number.NaN;
    if (this.#lowest < 0 || index < this.#lowest) this.#lowest = index;
    if (index > this.#highest) this.#highest = index;
    return slot;
  }

  /** Records `time` for `hop` at `slot` unless the entry reached it before. */
  #set(hop: string, slot: number, time: number): void {
    let column = this.#columns.get(hop);
    if (column === undefined) {
      column = new Float64Array(ENTRIES_MAX).fill(Number.NaN);
      this.#columns.set(hop, column);
    }
    if (Number.isNaN(column[slot])) column[slot] = time;
  }

  /** An answer covers every entry up to `matchIndex`: marks those it is the first to cover. */
  #markThrough(hop: string, matchIndex: number): void {
    if (this.#highest < 0) return;
    const from = Math.max(this.#oldest(), (this.#through.get(hop) ?? 0) + 1);
    if (matchIndex < from) return;
    this.#mark(from, matchIndex, hop, false);
    this.#through.set(hop, matchIndex);
  }

  /** The lowest index that may still hold a slot. */
  #oldest(): number {
    return Math.max(this.#lowest, this.#highest - ENTRIES_MAX + 1);
  }
}
