/**
 * Stable error codes. Messages may change; codes may not (clients and tests match on them).
 */
export type ErrorCode =
  | 'PARSE_ERROR'
  | 'UNSUPPORTED'
  | 'UNKNOWN_TABLE'
  | 'UNKNOWN_COLUMN'
  | 'UNKNOWN_INDEX'
  | 'TABLE_EXISTS'
  | 'INDEX_EXISTS'
  | 'TYPE_MISMATCH'
  | 'DUPLICATE_KEY'
  | 'NOT_NULL_VIOLATION'
  | 'AMBIGUOUS_COLUMN'
  | 'INVALID_ARGUMENT'
  | 'TRANSACTION_STATE'
  | 'NOT_LEADER'
  | 'NO_QUORUM'
  | 'TIMEOUT'
  | 'UNAVAILABLE'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'CORRUPTION'
  | 'IO_ERROR'
  | 'CONFIG_ERROR'
  | 'SHUTTING_DOWN'
  /** A limit on concurrent work or queued data was reached; retry later. */
  | 'RESOURCE_EXHAUSTED'
  /** A write that was refused before it could take effect: retrying it is safe. */
  | 'NOT_APPLIED'
  /** A write that may or may not have been applied: check before retrying. */
  | 'OUTCOME_UNKNOWN'
  /** The caller cancelled the statement or went away. */
  | 'CANCELLED'
  /** A statement passed a configured limit (size, nesting, rows held in memory). */
  | 'LIMIT_EXCEEDED'
  /** A Raft peer belongs to another cluster (its data dir records another cluster id). */
  | 'CLUSTER_MISMATCH'
  /** A sync batch names a table or column the target lacks, or a table of another shape. */
  | 'SCHEMA_MISMATCH';

/** Options carried by every ChronosError. */
export interface ChronosErrorOptions {
  readonly cause?: unknown;
  /** Free-form facts an operator needs to act (table, column, file, offset, leader...). */
  readonly details?: Readonly<Record<string, string | number | boolean | null>>;
}

/** Base of every error a user may see. The message is what gets printed after `Error: `. */
export class ChronosError extends Error {
  override readonly name: string = 'ChronosError';
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, string | number | boolean | null>>;

  constructor(code: ErrorCode, message: string, options: ChronosErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** True when `error` is a ChronosError with the given code. */
export function isChronosError(error: unknown, code?: ErrorCode): error is ChronosError {
  return error instanceof ChronosError && (code === undefined || error.code === code);
}

/** The user-facing text of any thrown value, without a stack trace. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
