import type { AbstractLevel, AbstractSnapshot } from 'abstract-level';

/**
 * The database handle the engine runs on: classic-level in production, memory-level in tests
 * and the simulation. Every call passes 'view' encodings, so its own defaults do not matter.
 */
// `any` only here: abstract-level instances with different default encodings are not mutually
// assignable under exactOptionalPropertyTypes, and we never use those defaults anyway.
export type LevelDatabase = AbstractLevel<any, any, any>;

/** One stored entry. */
export interface KvEntry {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

/** Entries per nextv() call: large enough to amortise the native call, small enough to stream. */
export const SCAN_BATCH_ENTRIES = 512;

/**
 * Bytes one nextv() call may gather before it returns early. classic-level's default (16 KiB)
 * ends a call after ~185 rows of the bench's table, so a scan paid a thread-pool round trip
 * per 185 rows; with this bound the entry count ends a call for row data, and a batch of
 * column blocks stays a few MiB at most.
 */
export const SCAN_BATCH_BYTES = 1 << 20;

/**
 * Entries the first nextv() of a scan asks for at most. A LIMIT or EXISTS often needs only a
 * few rows, and 512 rows cost ~0.9 ms to read; a long scan pays one short round trip more,
 * after which the next batch is read ahead.
 */
export const FIRST_BATCH_ENTRIES = 64;

export const VIEW = { keyEncoding: 'view', valueEncoding: 'view' } as const;

/** Consistent key-value reads: a LevelDB snapshot, or a transaction's overlay on top of one. */
export interface KvSource {
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]>;
  /** Entries with gte <= key < lt, in key order (descending with `reverse`), in batches. */
  range(
    gte: Uint8Array,
    lt: Uint8Array,
    reverse: boolean,
    batchEntries?: number,
  ): AsyncIterable<readonly KvEntry[]>;
  /** The first entry of that range in scan order, if any. */
  first(gte: Uint8Array, lt: Uint8Array, reverse: boolean): Promise<KvEntry | undefined>;
}

/** The smallest key greater than `key` (turns an inclusive upper bound into an exclusive one). */
export function successorKey(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length + 1);
  out.set(key, 0);
  return out;
}

/** Reads from one explicit LevelDB snapshot. */
export class SnapshotSource implements KvSource {
  readonly #db: LevelDatabase;
  readonly #snapshot: AbstractSnapshot;
  readonly #syncGet: boolean;

  constructor(db: LevelDatabase, snapshot: AbstractSnapshot) {
    this.#db = db;
    this.#snapshot = snapshot;
    // Newer manifests than the typings know: getSync is a feature flag of abstract-level 3.
    this.#syncGet = (db.supports as { readonly getSync?: boolean }).getSync === true;
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const options = { ...VIEW, snapshot: this.#snapshot };
    // A point read from LevelDB's cache takes microseconds; a round trip through the thread
    // pool costs far more, and inserts do one per row (duplicate check).
    const value: unknown = this.#syncGet
      ? this.#db.getSync(key, options)
      : await this.#db.get(key, options);
    return value === undefined ? undefined : (value as Uint8Array);
  }

  async getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    if (keys.length === 0) return [];
    const values: unknown[] = await this.#db.getMany([...keys], {
      ...VIEW,
      snapshot: this.#snapshot,
    });
    return values.map((value) => (value === undefined ? undefined : (value as Uint8Array)));
  }

  async *range(
    gte: Uint8Array,
    lt: Uint8Array,
    reverse: boolean,
    batchEntries = SCAN_BATCH_ENTRIES,
  ): AsyncIterable<readonly KvEntry[]> {
    if (Buffer.compare(gte, lt) >= 0) return;
    // highWaterMarkBytes is classic-level's own option; memory-level ignores it.
    const options = { ...VIEW, gte, lt, reverse, snapshot: this.#snapshot };
    const bounded = { ...options, highWaterMarkBytes: SCAN_BATCH_BYTES };
    const iterator = this.#db.iterator(bounded);
    let pending: Promise<[unknown, unknown][]> | undefined =
      iterator.nextv(Math.min(batchEntries, FIRST_BATCH_ENTRIES));
    try {
      // Bounded: each round consumes at least one entry of a finite snapshot, or stops.
      for (let round = 0; ; round++) {
        const entries: [unknown, unknown][] = await (pending ?? iterator.nextv(batchEntries));
        pending = undefined;
        if (entries.length === 0) return;
        // From the second batch on the scan is a long one: LevelDB reads the next batch on
        // the thread pool while the caller works on this one. A scan that stops after its
        // first batch (a LIMIT, a point range) does not pay for a read it never uses.
        if (round > 0) pending = iterator.nextv(batchEntries);
        yield entries.map(([key, value]) => ({
          key: key as Uint8Array,
          value: value as Uint8Array,
        }));
      }
    } finally {
      // close() would wait for a read in flight anyway; its failure no longer matters.
      if (pending !== undefined) await pending.catch(() => undefined);
      await iterator.close();
    }
  }

  async first(gte: Uint8Array, lt: Uint8Array, reverse: boolean): Promise<KvEntry | undefined> {
    if (Buffer.compare(gte, lt) >= 0) return undefined;
    const iterator = this.#db.iterator({
      ...VIEW,
      gte,
      lt,
      reverse,
      limit: 1,
      snapshot: this.#snapshot,
    });
    try {
      const entries: [unknown, unknown][] = await iterator.nextv(1);
      const entry = entries[0];
      return entry === undefined
        ? undefined
        : { key: entry[0] as Uint8Array, value: entry[1] as Uint8Array };
    } finally {
      await iterator.close();
    }
  }

  /** Release the snapshot. Idempotent. */
  async close(): Promise<void> {
    await this.#snapshot.close();
  }
}
