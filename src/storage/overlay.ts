import { assert } from '../lib/index.js';
import { bytesToMapKey, compareBytes } from './bytes.js';
import { successorKey } from './kv-source.js';
import type { KvEntry, KvSource } from './kv-source.js';

/** A pending write: a value, or null for a delete. */
export interface OverlayEntry {
  readonly key: Uint8Array;
  readonly value: Uint8Array | null;
}

interface UndoRecord {
  readonly mapKey: string;
  readonly previous: OverlayEntry | undefined;
}

/**
 * A transaction's pending writes over a snapshot, with an undo log for savepoints. Map keys
 * are latin1 strings of the key bytes, whose string order equals the byte order, so the
 * sorted view needs no byte comparisons.
 */
export class Overlay {
  readonly #entries = new Map<string, OverlayEntry>();
  readonly #undo: UndoRecord[] = [];
  #sortedKeys: string[] | undefined;

  get size(): number {
    return this.#entries.size;
  }

  /** Position in the undo log (a savepoint). */
  get undoLength(): number {
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
    return this.#entries.get(mapKey);
  }

  #mapKeyOf(key: Uint8Array): string {
    return key === this.#lastLookupKey ? this.#lastLookupMapKey : bytesToMapKey(key);
  }

  put(key: Uint8Array, value: Uint8Array): void {
    this.#write(key, value);
  }

  delete(key: Uint8Array): void {
    this.#write(key, null);
  }

  #write(key: Uint8Array, value: Uint8Array | null): void {
    const mapKey = this.#mapKeyOf(key);
    const previous = this.#entries.get(mapKey);
    this.#undo.push({ mapKey, previous });
    if (previous === undefined) this.#sortedKeys = undefined;
    this.#entries.set(mapKey, { key, value });
  }

  /**
   * Drop a pending write as if it never happened, bypassing the undo log: only for the fold at
   * commit, after which the transaction can no longer roll back.
   */
  forget(key: Uint8Array): void {
    if (this.#entries.delete(bytesToMapKey(key))) this.#sortedKeys = undefined;
  }

  /** Undo every write made after the undo log had `length` records. */
  rollbackTo(length: number): void {
    assert(length >= 0 && length <= this.#undo.length, `bad savepoint ${length}`);
    while (this.#undo.length > length) {
      const record = this.#undo.pop() as UndoRecord;
      if (record.previous === undefined) {
        this.#entries.delete(record.mapKey);
        this.#sortedKeys = undefined;
      } else {
        this.#entries.set(record.mapKey, record.previous);
      }
    }
  }

  /** Entries with gte <= key < lt in key order (a stable copy: later writes do not show). */
  slice(gte: Uint8Array, lt: Uint8Array): OverlayEntry[] {
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

  /** All pending writes, for the commit batch. */
  entries(): IterableIterator<OverlayEntry> {
    return this.#entries.values();
  }
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
