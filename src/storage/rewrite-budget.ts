import { ChronosError } from '../lib/index.js';
import type { SqlValue } from './values.js';

/** Most rows one DROP COLUMN rewrites (as INSERT ... SELECT holds). */
export const REWRITE_ROWS_MAX = 1_000_000;

/** Most characters of text the rows of one such statement may hold (as a query's result rows). */
export const REWRITE_TEXT_MAX = 256 * 1024 * 1024;

/**
 * What one table-wide rewrite has read. A rewrite is one transaction, held in memory until it
 * commits: a DROP COLUMN over 4.8 GB of text ran the node out of heap, and again every time the
 * entry was replayed. Past either bound the statement ends with LIMIT_EXCEEDED instead, on
 * every replica alike, since each reads the same rows at the same log index.
 */
export class RewriteBudget {
  #rows = 0;
  #text = 0;

  constructor(readonly statement: string, readonly table: string) {}

  /** Counts one row read for the rewrite; throws past REWRITE_ROWS_MAX rows or REWRITE_TEXT_MAX characters. */
  count(values: readonly SqlValue[]): void {
    this.#rows += 1;
    for (const value of values) if (typeof value === 'string') this.#text += value.length;
    if (this.#rows <= REWRITE_ROWS_MAX && this.#text <= REWRITE_TEXT_MAX) return;
    throw new ChronosError('LIMIT_EXCEEDED',
      `${this.statement} on table ${this.table} would rewrite more than ${REWRITE_ROWS_MAX} rows or ` +
        `${REWRITE_TEXT_MAX} characters of text in one transaction; nothing was changed. Copy the ` +
        'table into a new one in ranges (CREATE TABLE, then INSERT ... SELECT ... WHERE key ranges) instead',
      { details: { table: this.table, rowsMax: REWRITE_ROWS_MAX, textMax: REWRITE_TEXT_MAX } });
  }
}
