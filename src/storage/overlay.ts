import { assert } from '../lib/index.js';
import { bytesToMapKey, compareBytes } from './bytes.js';
import { successorKey } from './kv-source.js';
import type { KvEntry, KvSource } from './kv-source.js';

/** A pending write: a value, or null for a delete. */
export interface OverlayEntry {
  readonly key: Uint8Array;
  readonly value: Uint8Array | null;
  /** Left out of `bytes` (its size depends on the node's own settings, see `putUncounted`). */
  readonly uncounted?: true;
}

/** Undo of one map write, or of every run append since the run had `runLength` entries. */
type UndoRecord =
  | { readonly mapKey: string; readonly previous: OverlayEntry | undefined }
  | { readonly mapKey: null; readonly runLength: number };

/**
 * A transaction's pending writes over a snapshot, with an undo log for savepoints.
 *
 * Most writes go to a map whose keys are latin1 strings of the key bytes (string order equals
 * byte order, so the sorted view needs no byte comparisons). Keys the caller knows are new and
 * that arrive in ascending order (a bulk INSERT in key order) go to the *run*, a sorted array:
 * no map key, no map entry and one undo record for a whole series of appends. The map is
 * consulted first, so a later write of a run key shadows it.
 */
export class Overlay {
  readonly #entries = new Map<string, OverlayEntry>();
  readonly #run: OverlayEntry[] = [];
  /** Run positions dropped by `forget` (only at commit). */
  readonly #forgottenRun = new Set<number>();
  readonly #undo: UndoRecord[] = [];
  /** Whether the undo log's last record is a run record that later appends may extend. */
  #runRecordOpen = false;
  #sortedKeys: string[] | undefined;
  #bytes = 0;

  /**
   * Bytes of keys and values the pending puts hold, about what the commit hands LevelDB for them
   * (a run entry a later map write shadows still counts). Not counted (`entryBytes`): deletes and
   * empty values, a key each; puts made with `putUncounted`; the folds at commit.
   */
  get bytes(): number {
    return this.#bytes;
  }

  /** Position in the undo log, to return to with rollbackTo. */
  savepoint(): number {
    this.#runRecordOpen = false;
    return this.#undo.length;
  }

  /** The last key looked up and its map key: an insert looks a key up, then writes it. */
  #lastLookupKey: Uint8Array | undefined;
  #lastLookupMapKey = '';

  /** Lookup: undefined = not touched by this transaction, null value = deleted. */
  lookup(key: Uint8Array): OverlayEntry | undefined {
    const mapKey = bytesToMapKey(key);
    this.#lastLookupKey = key;
    this.#lastLookupMapKey = mapKey;
    return this.#entries.get(mapKey) ?? this.#runEntry(key);
  }

  #runEntry(key: Uint8Array): OverlayEntry | undefined {
    const at = this.#runPosition(key);
    const entry = this.#run[at];
    if (entry === undefined || this.#forgottenRun.has(at) || compareBytes(entry.key, key) !== 0) return undefined;
    return entry;
  }

  /** The first run position whose key is >= key. */
  #runPosition(key: Uint8Array): number {
    let start = 0;
    let end = this.#run.length;
    while (start < end) {
      const middle = (start + end) >>> 1;
      if (compareBytes((this.#run[middle] as OverlayEntry).key, key) < 0) start = middle + 1;
      else end = middle;
    }
    return start;
  }

  #mapKeyOf(key: Uint8Array): string {
    return key === this.#lastLookupKey ? this.#lastLookupMapKey : bytesToMapKey(key);
  }

  put(key: Uint8Array, value: Uint8Array): void {
    this.#write({ key, value });
  }

  /**
   * A put left out of `bytes`: column blocks, whose encoding (XOR or Chimp floats) is each node's
   * own setting, so that counting them would let replicas of one entry decide the cap apart.
   */
  putUncounted(key: Uint8Array, value: Uint8Array): void {
    this.#write({ key, value, uncounted: true });
  }

  /**
   * Put a key the caller knows is in neither the snapshot nor this overlay. Ascending keys
   * join the run; any other key is an ordinary put.
   */
  putNew(key: Uint8Array, value: Uint8Array): void {
    const last = this.#run[this.#run.length - 1];
    if (last !== undefined && compareBytes(key, last.key) <= 0) {
      this.#write({ key, value });
      return;
    }
    if (!this.#runRecordOpen) {
      this.#undo.push({ mapKey: null, runLength: this.#run.length });
      this.#runRecordOpen = true;
    }
    this.#run.push({ key, value });
    this.#bytes += key.length + value.length;
  }

  delete(key: Uint8Array): void {
    this.#write({ key, value: null });
  }

  #write(entry: OverlayEntry): void {
    const key = entry.key;
    const mapKey = this.#mapKeyOf(key);
    const previous = this.#entries.get(mapKey);
    this.#undo.push({ mapKey, previous });
    this.#runRecordOpen = false;
    if (previous === undefined) this.#sortedKeys = undefined;
    this.#entries.set(mapKey, entry);
    this.#bytes += entryBytes(entry) - (previous === undefined ? 0 : entryBytes(previous));
  }

  /**
   * Drop a pending write as if it never happened, bypassing the undo log: only for the fold at
   * commit, after which the transaction can no longer roll back.
   */
  forget(key: Uint8Array): void {
    if (this.#entries.delete(bytesToMapKey(key))) this.#sortedKeys = undefined;
    const at = this.#runPosition(key);
    const entry = this.#run[at];
    if (entry !== undefined && compareBytes(entry.key, key) === 0) this.#forgottenRun.add(at);
  }

  /** Undo every write made after `savepoint` (a value of `savepoint()`). */
  rollbackTo(savepoint: number): void {
    assert(savepoint >= 0 && savepoint <= this.#undo.length, `bad savepoint ${savepoint}`);
    this.#runRecordOpen = false;
    while (this.#undo.length > savepoint) {
      const record = this.#undo.pop() as UndoRecord;
      if (record.mapKey === null) {
        for (let r = record.runLength; r < this.#run.length; r++) {
          const entry = this.#run[r] as OverlayEntry;
          this.#bytes -= entryBytes(entry);
        }
        this.#run.length = record.runLength;
        continue;
      }
      const current = this.#entries.get(record.mapKey) as OverlayEntry;
      this.#bytes -= entryBytes(current);
      if (record.previous === undefined) {
        this.#entries.delete(record.mapKey);
        this.#sortedKeys = undefined;
      } else {
        this.#entries.set(record.mapKey, record.previous);
        this.#bytes += entryBytes(record.previous);
      }
    }
  }

  /** Entries with gte <= key < lt in key order (a stable copy: later writes do not show). */
  slice(gte: Uint8Array, lt: Uint8Array): OverlayEntry[] {
    const mapped = this.#mapSlice(gte, lt);
    if (this.#run.length === 0) return mapped;
    const out: OverlayEntry[] = [];
    let m = 0;
    for (let r = this.#runPosition(gte); r < this.#run.length; r++) {
      const entry = this.#run[r] as OverlayEntry;
      if (compareBytes(entry.key, lt) >= 0) break;
      if (this.#forgottenRun.has(r)) continue;
      for (; m < mapped.length && compareBytes((mapped[m] as OverlayEntry).key, entry.key) < 0; m++) {
        out.push(mapped[m] as OverlayEntry);
      }
      const shadow = mapped[m];
      if (shadow !== undefined && compareBytes(shadow.key, entry.key) === 0) continue;
      out.push(entry);
    }
    for (; m < mapped.length; m++) out.push(mapped[m] as OverlayEntry);
    return out;
  }

  #mapSlice(gte: Uint8Array, lt: Uint8Array): OverlayEntry[] {
    this.#sortedKeys ??= [...this.#entries.keys()].sort();
    const sorted = this.#sortedKeys;
    const low = bytesToMapKey(gte);
    const high = bytesToMapKey(lt);
    let start = 0;
    let end = sorted.length;
    while (start < end) {
      const middle = (start + end) >>> 1;
      if ((sorted[middle] as string) < low) start = middle + 1;
      else end = middle;
    }
    const out: OverlayEntry[] = [];
    for (let i = start; i < sorted.length && (sorted[i] as string) < high; i++) {
      out.push(this.#entries.get(sorted[i] as string) as OverlayEntry);
    }
    return out;
  }

  /**
   * All pending writes, for the commit batch: the run first, then the map, so that where both
   * hold a key the map's later write is the one the batch leaves.
   */
  *entries(): IterableIterator<OverlayEntry> {
    for (let r = 0; r < this.#run.length; r++) {
      if (!this.#forgottenRun.has(r)) yield this.#run[r] as OverlayEntry;
    }
    yield* this.#entries.values();
  }
}

/**
 * What a pending write counts toward `bytes`: a key and its value. A delete, and a put of an
 * empty value (a head row's tombstone, an index entry), count nothing: a DELETE or a TTL sweep
 * of millions of rows must go through, and their keys make a batch of a few dozen bytes a row.
 */
function entryBytes(entry: OverlayEntry): number {
  const value = entry.value;
  return value === null || value.length === 0 || entry.uncounted === true ? 0 : entry.key.length + value.length;
}

/** Read-your-writes view: the overlay merged over a snapshot source. */
export class OverlaySource implements KvSource {
  readonly #base: KvSource;
  readonly #overlay: Overlay;

  constructor(base: KvSource, overlay: Overlay) {
    this.#base = base;
    this.#overlay = overlay;
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const pending = this.#overlay.lookup(key);
    if (pending !== undefined) return pending.value ?? undefined;
    return this.#base.get(key);
  }

  async getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    const out: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(keys.length);
    const missing: number[] = [];
    keys.forEach((key, i) => {
      const pending = this.#overlay.lookup(key);
      if (pending === undefined) missing.push(i);
      else out[i] = pending.value ?? undefined;
    });
    const fetched = await this.#base.getMany(missing.map((i) => keys[i] as Uint8Array));
    missing.forEach((position, i) => {
      out[position] = fetched[i];
    });
    return out;
  }

  async first(gte: Uint8Array, lt: Uint8Array, reverse: boolean): Promise<KvEntry | undefined> {
    const pending = this.#overlay.slice(gte, lt);
    if (reverse) pending.reverse();
    const direction = reverse ? -1 : 1;
    let low = gte;
    let high = lt;
    // Bounded: every round consumes one pending entry or returns.
    for (let i = 0; ; i++) {
      const stored = await this.#base.first(low, high, reverse);
      const candidate = pending[i];
      if (candidate === undefined) return stored;
      const order = stored === undefined ? -1 : compareBytes(candidate.key, stored.key) * direction;
      if (order > 0) return stored;
      if (candidate.value !== null) return { key: candidate.key, value: candidate.value };
      if (order === 0 && stored !== undefined) {
        // A pending delete hides this stored entry: look past it.
        if (reverse) high = stored.key;
        else low = successorKey(stored.key);
      }
    }
  }

  async *range(
    gte: Uint8Array,
    lt: Uint8Array,
    reverse: boolean,
    batchEntries?: number,
  ): AsyncIterable<readonly KvEntry[]> {
    const pending = this.#overlay.slice(gte, lt);
    if (reverse) pending.reverse();
    const direction = reverse ? -1 : 1;
    let next = 0;
    for await (const batch of this.#base.range(gte, lt, reverse, batchEntries)) {
      const out: KvEntry[] = [];
      for (const entry of batch) {
        // Emit pending writes that sort before this stored entry (in scan direction).
        while (next < pending.length) {
          const candidate = pending[next] as OverlayEntry;
          const order = compareBytes(candidate.key, entry.key) * direction;
          if (order > 0) break;
          next++;
          if (candidate.value !== null) out.push({ key: candidate.key, value: candidate.value });
          if (order === 0) break;
        }
        const shadow = next > 0 ? pending[next - 1] : undefined;
        if (shadow !== undefined && compareBytes(shadow.key, entry.key) === 0) continue;
        out.push(entry);
      }
      if (out.length > 0) yield out;
    }
    const rest: KvEntry[] = [];
    for (; next < pending.length; next++) {
      const candidate = pending[next] as OverlayEntry;
      if (candidate.value !== null) rest.push({ key: candidate.key, value: candidate.value });
    }
    if (rest.length > 0) yield rest;
  }
}
