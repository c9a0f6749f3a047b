import type { Row, SqlType } from '../storage/index.js';

/** The outcome of one statement, as every front end (REPL, gRPC, HTTP) renders it. */
export type StatementResult = RowsResult | MessageResult;

/** A statement that returns rows (SELECT). */
export interface RowsResult {
  readonly kind: 'rows';
  /** Output column names: as written, lower-cased, unless aliased (`avg_1h(temp)`, `count(*)`). */
  readonly columns: readonly string[];
  /** Static type of each column; null when only NULL can appear (e.g. `SELECT NULL`). */
  readonly columnTypes: readonly (SqlType | null)[];
  readonly rows: readonly Row[];
}

/** Any other statement: `Table sensors created`, `Inserted into sensors`, ... */
export interface MessageResult {
  readonly kind: 'message';
  readonly message: string;
  /** Rows inserted or deleted, rows matched by UPDATE; 0 for DDL and transaction control. */
  readonly rowsAffected: number;
  /**
   * Set by a CREATE INDEX that left its index building: the message once the background passes
   * are done (a single node runs them before it answers, and answers with this).
   */
  readonly messageWhenBuilt?: string;
}
