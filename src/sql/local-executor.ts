import { ChronosError, systemClock, type Clock } from '../lib/index.js';
import type { StorageEngine, WriteTransaction } from '../storage/index.js';
import { sweepExpired } from './ttl-sweep.js';
import {
  applyWriteCommand,
  executeInTransaction,
  executeRead,
  type WriteOutcome,
} from './execute.js';
import type { StatementResult } from './result.js';
import { UNLIMITED } from './statement-guard.js';
import type { StatementExecutor } from './session.js';

interface Pending {
  /** Applies this caller's command to the shared transaction, atomically on its own. */
  readonly apply: (txn: WriteTransaction) => Promise<WriteOutcome>;
  readonly resolve: (results: StatementResult[]) => void;
  readonly reject: (error: unknown) => void;
}

/** Single-node executor: reads on snapshots; writes group-committed, one fsync per batch. */
export class LocalExecutor implements StatementExecutor {
  readonly #engine: StorageEngine;
  readonly #clock: Clock;
  #queue: Pending[] = [];
  #committing = false;

  constructor(engine: StorageEngine, clock: Clock = systemClock) {
    this.#engine = engine;
    this.#clock = clock;
  }

  /** Run a SELECT on the latest committed state; an aborted `signal` (Ctrl-C) stops it. */
  async read(sql: string, signal?: AbortSignal): Promise<StatementResult> {
    const reader = await this.#engine.reader();
    try {
      return await executeRead(sql, reader, this.#clock.nowMs(), { ...UNLIMITED, signal });
    } finally {
      await reader.close();
    }
  }

  /** Queue one atomic command; commands arriving during a commit share the next one. */
  write(statements: readonly string[]): Promise<StatementResult[]> {
    return new Promise((resolve, reject) => {
      const command = { statements, nowMs: this.#clock.nowMs() };
      this.#queue.push({ apply: (txn) => applyWriteCommand(command, txn), resolve, reject });
      void this.#pump();
    });
  }

  /** Deletes expired rows of every TTL table now, in the write queue; resolves to how many. */
  sweepExpired(): Promise<number> {
    return new Promise((resolve, reject) => {
      const nowMs = this.#clock.nowMs();
      this.#queue.push({
        apply: async (txn) => {
          const savepoint = txn.savepoint();
          try {
            const deleted = await sweepExpired(txn, nowMs);
            return { ok: true, results: [{ kind: 'message', message: `Expired ${deleted} rows`, rowsAffected: deleted }] };
          } catch (error) {
            txn.rollbackTo(savepoint);
            throw error;
          }
        },
        resolve: (results) => resolve(results[0]?.kind === 'message' ? results[0].rowsAffected : 0),
        reject,
      });
      void this.#pump();
    });
  }

  /** Apply to a throwaway transaction (never committed) and return the last result. */
  async dryRun(statements: readonly string[], readSql?: string): Promise<StatementResult> {
    const txn = await this.#engine.begin();
    try {
      const nowMs = this.#clock.nowMs();
      let last: StatementResult | undefined;
      for (const sql of statements) last = await executeInTransaction(sql, txn, nowMs);
      if (readSql !== undefined) last = await executeInTransaction(readSql, txn, nowMs);
      if (last === undefined) throw new ChronosError(
        'INVALID_ARGUMENT',
        'dryRun needs a statement',
      );
      return last;
    } finally {
      await txn.rollback();
    }
  }

  /**
   * One background compaction step of the engine, between write batches (a step bumps the
   * engine's version, so it never runs beside an open write); skipped (nothing done) while
   * writes are being committed.
   */
  async compactStep(maxBlocks: number): Promise<{ blocksRead: number; blocksRemoved: number }> {
    if (this.#committing) return { blocksRead: 0, blocksRemoved: 0 };
    this.#committing = true;
    try {
      return await this.#engine.compactStep(maxBlocks);
    } finally {
      this.#committing = false;
      if (this.#queue.length > 0) void this.#pump();
    }
  }

  async #pump(): Promise<void> {
    if (this.#committing) return;
    this.#committing = true;
    try {
      // Bounded: each round drains what is queued; callers add at most what they await.
      for (let round = 0; this.#queue.length > 0 && round < 1_000_000; round++) {
        const batch = this.#queue;
        this.#queue = [];
        await this.#commitBatch(batch);
      }
    } finally {
      this.#committing = false;
    }
  }

  async #commitBatch(batch: readonly Pending[]): Promise<void> {
    let outcomes: WriteOutcome[] = [];
    try {
      const txn = await this.#engine.begin();
      try {
        for (const p of batch) outcomes.push(await p.apply(txn));
        await txn.commit(this.#engine.appliedIndex + 1, { sync: true });
      } catch (error) {
        await txn.rollback();
        throw error;
      }
    } catch (error) {
      for (const p of batch) p.reject(error);
      outcomes = [];
      return;
    }
    batch.forEach((p, i) => {
      const o = outcomes[i];
      if (o === undefined) p.reject(new ChronosError('UNAVAILABLE', 'write lost its outcome'));
      else if (o.ok) p.resolve(o.results);
      else p.reject(o.error);
    });
  }
}
