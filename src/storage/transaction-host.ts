import { compareBytes } from './bytes.js';
import type { CatalogState } from './catalog.js';
import type { RowKey } from './engine.js';
import type { OverlayEntry } from './overlay.js';

/** What a transaction hands the engine at commit. */
export interface CommitRequest {
  readonly writes: Iterable<OverlayEntry>;
  readonly appliedIndex: number;
  readonly catalog: CatalogState;
  readonly sync: boolean;
  /** The engine's commit count when the transaction began (detects overlapping commits). */
  readonly baseVersion: number;
  /** Each table's greatest row key after this commit, where known (see RowStore). */
  readonly lastRowKeys: ReadonlyMap<number, RowKey | null>;
  /** The writes record a dropped table's or index's range, to be cleared in the background. */
  readonly rangesDropped: boolean;
}

/** The engine side of a transaction. */
export interface TransactionHost {
  commitTransaction(request: CommitRequest): Promise<void>;
  readonly markFreeTables: MarkFreeTables;
}

/**
 * Tables known to hold no dedupe marks. Nothing writes marks any more (older versions did), so
 * a table without any keeps none; only a snapshot import can bring some, and it starts a new
 * generation, which forgets what was learned and refuses what transactions of the old one learn.
 */
export class MarkFreeTables {
  #ids = new Set<number>();
  #generation = 0;

  get generation(): number {
    return this.#generation;
  }

  has(tableId: number): boolean {
    return this.#ids.has(tableId);
  }

  /** Remembers that `tableId` held no marks in a state of `generation`. */
  add(tableId: number, generation: number): void {
    if (generation === this.#generation) this.#ids.add(tableId);
  }

  /** The state was replaced (snapshot import). */
  reset(): void {
    this.#ids = new Set();
    this.#generation += 1;
  }
}

/**
 * Each table's greatest row key once a transaction commits: what its snapshot held (`known`),
 * raised by what it wrote. A table written without a known snapshot key is left out (it is
 * found again by a read); deletes only make a kept key too high, which costs a read, never a
 * missed duplicate. (After rows were removed by range the caller keeps nothing.)
 */
export function lastRowKeysAfter(known: ReadonlyMap<number, RowKey | null>,
  written: ReadonlyMap<number, RowKey>): ReadonlyMap<number, RowKey | null> {
  const after = new Map<number, RowKey | null>(known);
  for (const [table, key] of written) {
    const before = after.get(table);
    if (before === undefined) continue;
    after.set(table, before === null || compareBytes(key, before) > 0 ? key : before);
  }
  return after;
}
