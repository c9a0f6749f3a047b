import { ChronosError } from '../lib/index.js';
import { VIEW } from './kv-source.js';
import type { LevelDatabase } from './kv-source.js';

/** Keys deleted or blocks rewritten (old versions) after which the heads are swept, by default. */
const SWEEP_AFTER_GARBAGE = 20_000;
/** A sweep of the blocks needs at least this many blocks removed since the last one... */
const MIN_REMOVED_BLOCKS = 1_000;
/** ...and at least this share of the blocks a whole pass read, so a big table is not rewritten for a few. */
const MIN_REMOVED_SHARE = 0.25;

type CompactRange = (start: Uint8Array, end: Uint8Array, options: typeof VIEW) => Promise<void>;

/** Key ranges of the columnar tables: their heads and their blocks. */
export interface ColumnarRanges {
  readonly heads: readonly (readonly [Uint8Array, Uint8Array])[];
  readonly blocks: readonly (readonly [Uint8Array, Uint8Array])[];
}

/**
 * Has LevelDB compact the key ranges of columnar tables after many keys were deleted (folds
 * delete the head rows they move into blocks; block compaction deletes merged blocks). Deleted
 * keys sit in LevelDB's memtable as tombstones until it fills, and a backwards seek there (the
 * block holding a key, the newest rows of a series) searches the skip list once per key it
 * steps over: after a bulk load, 11-16 ms per point read instead of under one. Compacting a
 * range first flushes the memtable; the heads are small, so sweeping them is cheap, and the
 * blocks are swept only when a pass removed a large share of them. A sweep runs in LevelDB's
 * thread beside applies; a failure is thrown by the next step before it writes anything.
 */
export class TombstoneSweep {
  readonly #db: LevelDatabase;
  #removedSinceSweep = 0;
  #garbageSinceSweep = 0;
  #garbageAtPassStart = 0;
  /** The next step starts a pass (none has run yet, or the last one ended a pass). */
  #passStarting = true;
  #readInPass = 0;
  #running: Promise<void> | null = null;
  /** Compactions of cleared dropped ranges, one after another. */
  #droppedSweeps: Promise<void> = Promise.resolve();
  #failure: unknown = null;
  #completed = 0;
  #closed = false;

  readonly #sweepAfterGarbage: number;

  constructor(db: LevelDatabase, sweepAfterGarbage = SWEEP_AFTER_GARBAGE) {
    this.#db = db;
    this.#sweepAfterGarbage = sweepAfterGarbage;
  }

  /** Sweeps finished since open. */
  get completed(): number {
    return this.#completed;
  }

  /** True while a sweep runs. */
  get running(): boolean {
    return this.#running !== null;
  }

  /** Counts keys a write left as garbage in LevelDB: deleted keys, rewritten blocks. */
  noteGarbage(keys: number): void {
    this.#garbageSinceSweep += keys;
  }

  /**
   * Before a compaction step writes anything: throws (once) the failure of a sweep that ended
   * since, and notes the garbage at the start of a pass (the step after one that ended a pass).
   */
  beginStep(): void {
    if (this.#passStarting) {
      this.#garbageAtPassStart = this.#garbageSinceSweep;
      this.#passStarting = false;
    }
    const failure = this.#failure;
    if (failure === null) return;
    this.#failure = null;
    throw new ChronosError('IO_ERROR', `compacting LevelDB after deletes failed: ${String(failure)}`, { cause: failure });
  }

  /** Garbage counted and not swept yet: a pass that adds none sweeps it. */
  get pending(): boolean {
    return this.#garbageSinceSweep > 0;
  }

  /** Records one compaction window. */
  noteWindow(blocksRead: number, blocksRemoved: number): void {
    this.#readInPass += blocksRead;
    this.#removedSinceSweep += blocksRemoved;
  }

  /**
   * After a compaction step: sweeps when enough was deleted, or when a whole pass over every
   * table (`passEnded`) added no garbage (writes stopped: what is left would stay in the
   * memtable, under every backwards seek, until the next writes fill it). Garbage left while a
   * sweep runs stays `pending` for the next pass.
   */
  afterStep(ranges: ColumnarRanges, passEnded: boolean): void {
    const readInPass = this.#readInPass;
    const garbage = this.#garbageSinceSweep;
    const quietPass = passEnded && garbage === this.#garbageAtPassStart;
    if (passEnded) {
      this.#readInPass = 0;
      this.#passStarting = true;
    }
    if (this.#running !== null || this.#closed) return;
    const removed = this.#removedSinceSweep;
    const sweepBlocks = passEnded && removed >= MIN_REMOVED_BLOCKS && removed >= readInPass * MIN_REMOVED_SHARE;
    if (!sweepBlocks && garbage < this.#sweepAfterGarbage && !(quietPass && garbage > 0)) return;
    const compactRange = (this.#db as { compactRange?: CompactRange }).compactRange;
    if (typeof compactRange !== 'function') return;
    this.#garbageSinceSweep = 0;
    if (sweepBlocks) this.#removedSinceSweep = 0;
    const targets = sweepBlocks ? [...ranges.heads, ...ranges.blocks] : ranges.heads;
    this.#running = (async () => {
      try {
        for (const [start, end] of targets) await compactRange.call(this.#db, start, end, VIEW);
        this.#completed++;
      } catch (error) {
        this.#failure = error;
        // What the failed sweep was for is still there: count it again.
        this.#garbageSinceSweep += garbage;
        if (sweepBlocks) this.#removedSinceSweep += removed;
      } finally {
        this.#running = null;
      }
    })();
  }

  /**
   * Has LevelDB compact a dropped table's or index's range once its keys are cleared: with no
   * writes after it, LevelDB would keep the deleted data's files (and the disk space) until
   * later writes happen to compact them.
   */
  sweepCleared(start: Uint8Array, end: Uint8Array): void {
    const compactRange = (this.#db as { compactRange?: CompactRange }).compactRange;
    if (typeof compactRange !== 'function' || this.#closed) return;
    this.#droppedSweeps = this.#droppedSweeps.then(async () => {
      try {
        if (!this.#closed) await compactRange.call(this.#db, start, end, VIEW);
      } catch (error) {
        this.#failure = error;
      }
    });
  }

  /** Starts no more sweeps; resolves once a running one has ended (before the database closes). */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#running;
    await this.#droppedSweeps;
  }
}
