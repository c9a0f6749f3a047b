import { ChronosError } from '../lib/index.js';
import { classify } from './execute.js';
import type { StatementResult } from './result.js';

/** Where a session's statements run; the host fixes `nowMs` and durability. */
export interface StatementExecutor {
  /** Run a SELECT on the latest committed state; an aborted `signal` ends it with CANCELLED. */
  read(sql: string, signal?: AbortSignal): Promise<StatementResult>;
  /** Apply the statements as ONE atomic command; resolves once durable. Rejects on error. */
  write(statements: readonly string[]): Promise<StatementResult[]>;
  /**
   * Apply `statements` to a throwaway transaction, then run `readSql` there if given; returns
   * the result of the last statement run. Rejects with the first error.
   */
  dryRun(statements: readonly string[], readSql?: string): Promise<StatementResult>;
}

function done(message: string, rowsAffected = 0): StatementResult {
  return { kind: 'message', message, rowsAffected };
}

/** One client's conversation: autocommit, or BEGIN ... COMMIT sent as one command. */
export class Session {
  readonly #executor: StatementExecutor;
  #buffer: string[] | null = null;

  constructor(executor: StatementExecutor) {
    this.#executor = executor;
  }

  /** True between BEGIN and COMMIT/ROLLBACK. */
  get inTransaction(): boolean {
    return this.#buffer !== null;
  }

  /** Execute one statement. Errors are ChronosErrors; a failed statement leaves no trace. */
  async execute(sql: string, signal?: AbortSignal): Promise<StatementResult> {
    const kind = classify(sql);
    const buffer = this.#buffer;
    switch (kind) {
      case 'begin':
        if (buffer !== null) throw new ChronosError(
          'TRANSACTION_STATE',
          'A transaction is already in progress (COMMIT or ROLLBACK first)',
        );
        this.#buffer = [];
        return done('Transaction started');
      case 'commit': {
        if (buffer === null) throw new ChronosError(
          'TRANSACTION_STATE',
          'No transaction in progress (COMMIT without BEGIN)',
        );
        this.#buffer = null;
        if (buffer.length === 0) return done('Transaction committed');
        const results = await this.#executor.write(buffer);
        const affected = results.reduce(
          (n, r) => n + (r.kind === 'message' ? r.rowsAffected : 0),
          0,
        );
        return done('Transaction committed', affected);
      }
      case 'rollback':
        if (buffer === null) throw new ChronosError(
          'TRANSACTION_STATE',
          'No transaction in progress (ROLLBACK without BEGIN)',
        );
        this.#buffer = null;
        return done('Transaction rolled back');
      case 'read':
        if (buffer === null || buffer.length === 0) return this.#executor.read(sql, signal);
        return this.#executor.dryRun(buffer, sql);
      case 'write': {
        if (buffer === null) {
          const [result] = await this.#executor.write([sql]);
          if (result === undefined) throw new ChronosError(
            'UNAVAILABLE',
            'The write returned no result',
          );
          return result;
        }
        // Check now so the user sees the error at once; only a working statement is kept.
        const result = await this.#executor.dryRun([...buffer, sql]);
        buffer.push(sql);
        return result;
      }
    }
  }
}
