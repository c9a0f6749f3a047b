import { ChronosError } from '../lib/index.js';

/** Deepest nesting of parentheses, subexpressions and prefix operators a statement may use. */
export const MAX_NESTING_DEPTH = 200;

/**
 * Most operands in one unparenthesized chain of a non-associative operator (`a + b - c ...`).
 * Such a chain is a left-deep tree that evaluation walks recursively; AND/OR chains are
 * associative and built balanced, so they have no such limit.
 */
export const MAX_CHAIN_TERMS = 1000;

/**
 * Most tokens a statement may have outside the INSERT fast path (plain literal rows, parsed in
 * steps). The general parser cannot pause, and it and what follows it (checks, planning) cost
 * about 1-3 µs per token here: this bounds one parse to a fraction of Raft's 500 ms election
 * timeout. A 100,000-item IN list fits.
 */
export const MAX_STATEMENT_TOKENS = 250_000;

/**
 * Most items in a query's SELECT list, GROUP BY or ORDER BY (PostgreSQL's target-list limit).
 * Every item is named, compiled and sent per row, at a cost well above its parse.
 */
export const MAX_QUERY_LIST_ITEMS = 1664;

/** Most SELECTs one query combines with UNION, INTERSECT and EXCEPT (evaluation recurses per operator). */
export const MAX_SET_OPERANDS = 1000;

/** Default of CHRONOS_MAX_STATEMENT_BYTES: 16 MiB, far above a 100,000-row INSERT (~4 MB). */
export const DEFAULT_MAX_STATEMENT_BYTES = 16 * 1024 * 1024;

/** The statement size limit in bytes (CHRONOS_MAX_STATEMENT_BYTES, a positive integer). */
export function maxStatementBytes(): number {
  const text = process.env['CHRONOS_MAX_STATEMENT_BYTES'];
  if (text === undefined || text === '') return DEFAULT_MAX_STATEMENT_BYTES;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ChronosError(
      'CONFIG_ERROR',
      `CHRONOS_MAX_STATEMENT_BYTES must be a positive integer (bytes), got '${text}'`,
    );
  }
  return value;
}

/** Refuse a statement over the size limit before any work is spent on it. */
export function checkStatementSize(sql: string): void {
  const limit = maxStatementBytes();
  // UTF-8 needs at most 3 bytes per UTF-16 unit: only measure when it could matter.
  if (sql.length * 3 <= limit) return;
  const bytes = Buffer.byteLength(sql, 'utf8');
  if (bytes <= limit) return;
  throw new ChronosError(
    'LIMIT_EXCEEDED',
    `Statement is ${bytes} bytes, over the limit of ${limit} (CHRONOS_MAX_STATEMENT_BYTES); ` +
      'split it into several statements',
    { details: { bytes, limit } },
  );
}

/**
 * The error for a statement of more than MAX_STATEMENT_TOKENS tokens; `insert` when it is an
 * INSERT that is not plain literal rows throughout (or has a syntax error the parser did not reach).
 */
export function tooManyTokens(insert = false): ChronosError {
  const why = insert
    ? 'an INSERT has no such limit only when every row of its VALUES holds plain literals ' +
      '(numbers, strings, NULL, TRUE, FALSE) and the statement ends after them'
    : 'a multi-row INSERT of plain literal values has no such limit';
  return new ChronosError(
    'LIMIT_EXCEEDED',
    `Statement has more than ${MAX_STATEMENT_TOKENS} tokens; split it into several statements (${why})`,
    { details: { limit: MAX_STATEMENT_TOKENS } },
  );
}

/** Throws unless `count` items of a query's `clause` are within MAX_QUERY_LIST_ITEMS. */
export function checkQueryList(clause: string, count: number): void {
  if (count <= MAX_QUERY_LIST_ITEMS) return;
  throw new ChronosError(
    'LIMIT_EXCEEDED',
    `${clause} has more than ${MAX_QUERY_LIST_ITEMS} items`,
    { details: { limit: MAX_QUERY_LIST_ITEMS } },
  );
}

/** Throws unless a query combining `count` SELECTs is within MAX_SET_OPERANDS. */
export function checkSetOperands(count: number): void {
  if (count <= MAX_SET_OPERANDS) return;
  throw new ChronosError(
    'LIMIT_EXCEEDED',
    `Query combines more than ${MAX_SET_OPERANDS} SELECTs with UNION, INTERSECT or EXCEPT; ` +
      'split it into several statements',
    { details: { limit: MAX_SET_OPERANDS } },
  );
}

/** The error for nesting deeper than MAX_NESTING_DEPTH. */
export function nestingTooDeep(): ChronosError {
  return new ChronosError(
    'LIMIT_EXCEEDED',
    `Statement nests deeper than ${MAX_NESTING_DEPTH} levels (parentheses, subexpressions); ` +
      'simplify it',
    { details: { limit: MAX_NESTING_DEPTH } },
  );
}

/** The error for an operator chain longer than MAX_CHAIN_TERMS. */
export function chainTooLong(op: string): ChronosError {
  return new ChronosError(
    'LIMIT_EXCEEDED',
    `Expression chains more than ${MAX_CHAIN_TERMS} terms with '${op}'; ` +
      'use parentheses, IN (...) or several statements',
    { details: { limit: MAX_CHAIN_TERMS } },
  );
}
