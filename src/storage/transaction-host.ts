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
}

/** The engine side of a transaction. */
export interface TransactionHost {
  commitTransaction(request: CommitRequest): Promise<void>;
}
