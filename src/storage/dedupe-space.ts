import type { DedupeEntry } from './engine.js';
import { DEDUPE_KEY_PREFIX_BYTES, dedupeKey, markKey, marksPrefix, prefixEnd } from './keys.js';
import type { KvSource } from './kv-source.js';
import type { MarkFreeTables } from './transaction-host.js';

/**
 * Reads of a table's dedupe keyspaces through a transaction's view: the marks older versions
 * wrote per reading, and the dedupe index the layer above formats (see WriteTransaction).
 */
export class DedupeSpace {
  readonly #source: KvSource;
  readonly #markFree: MarkFreeTables;
  /** The state generation the source's snapshot belongs to: what it finds is true of that one only. */
  readonly #generation: number;

  /** `source` must be a snapshot taken now (a transaction's, as it begins). */
  constructor(source: KvSource, markFree: MarkFreeTables) {
    this.#source = source;
    this.#markFree = markFree;
    this.#generation = markFree.generation;
  }

  /** Per mark, whether table `tableId` holds it. */
  async marked(tableId: number, marks: readonly Uint8Array[]): Promise<boolean[]> {
    const present = await this.#source.getMany(marks.map((mark) => markKey(tableId, mark)));
    return present.map((value) => value !== undefined);
  }

  /** Whether the table holds any mark; a table found without is remembered (see MarkFreeTables). */
  async hasMarks(tableId: number): Promise<boolean> {
    if (this.#generation === this.#markFree.generation && this.#markFree.has(tableId)) return false;
    const prefix = marksPrefix(tableId);
    const found = (await this.#source.first(prefix, prefixEnd(prefix), false)) !== undefined;
    if (!found) this.#markFree.add(tableId, this.#generation);
    return found;
  }

  /** Values of the table's dedupe index entries at `keys`. */
  entries(tableId: number, keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    return this.#source.getMany(keys.map((key) => dedupeKey(tableId, key)));
  }

  /** The entry with the smallest (`last`: greatest) key in [gte, lt), if any. */
  async edge(tableId: number, gte: Uint8Array, lt: Uint8Array, last: boolean): Promise<DedupeEntry | undefined> {
    const entry = await this.#source.first(dedupeKey(tableId, gte), dedupeKey(tableId, lt), last);
    return entry === undefined ? undefined : { key: entry.key.subarray(DEDUPE_KEY_PREFIX_BYTES), value: entry.value };
  }
}
