import type { Random } from '../../src/lib/random.js';
import { tokenize } from '../../src/sql/lexer.js';
import { MAX_QUERY_LIST_ITEMS, MAX_SET_OPERANDS, MAX_STATEMENT_TOKENS } from '../../src/sql/parse-limits.js';

/**
 * Statements made of one long list or chain, the shapes that once held a node's event loop for
 * seconds (an 8-million-item SELECT list, a 2-million-literal IN list) or overflowed its stack
 * (tens of thousands of UNIONs). From a shape's token count and the cap on its clause, a drawn
 * statement comes with the outcome the contract promises: an answer, or LIMIT_EXCEEDED.
 */
export interface HeavyShape {
  readonly name: string;
  /** The statement with `n` items. */
  readonly sql: (n: number) => string;
  /** Most items the shape's own clause allows (Infinity: only the token cap applies). */
  readonly itemsMax: number;
  /** Whether `n` items are an error other than a limit (a function's argument count). */
  readonly refusedAt?: (n: number) => boolean;
}

const items = (n: number, item: (i: number) => string, separator: string): string =>
  Array.from({ length: n }, (_, i) => item(i)).join(separator);

/** The shapes, over a table `sink (id INT PRIMARY KEY, v FLOAT)`. */
export const HEAVY_SHAPES: readonly HeavyShape[] = [
  { name: 'SELECT list', sql: (n) => `SELECT ${items(n, (i) => `${i % 10}`, ', ')}`, itemsMax: MAX_QUERY_LIST_ITEMS },
  { name: 'GROUP BY', sql: (n) => `SELECT count(*) FROM sink GROUP BY ${items(n, () => 'v', ', ')}`, itemsMax: MAX_QUERY_LIST_ITEMS },
  { name: 'ORDER BY', sql: (n) => `SELECT id FROM sink ORDER BY ${items(n, () => 'v', ', ')}`, itemsMax: MAX_QUERY_LIST_ITEMS },
  { name: 'IN list', sql: (n) => `SELECT count(*) FROM sink WHERE id IN (${items(n, (i) => `${i}`, ',')})`, itemsMax: Infinity },
  { name: 'OR chain', sql: (n) => `SELECT count(*) FROM sink WHERE ${items(n, (i) => `id = ${i}`, ' OR ')}`, itemsMax: Infinity },
  { name: 'CASE', sql: (n) => `SELECT CASE ${items(n, (i) => `WHEN id = ${i} THEN ${i}`, ' ')} END FROM sink`, itemsMax: Infinity },
  { name: 'UNION ALL', sql: (n) => items(n, (i) => `SELECT ${i}`, ' UNION ALL '), itemsMax: MAX_SET_OPERANDS },
  { name: 'INTERSECT and EXCEPT', sql: (n) => items(n, (i) => `SELECT ${i % 3}`, (n % 2 === 0 ? ' INTERSECT ' : ' EXCEPT ')), itemsMax: MAX_SET_OPERANDS },
  { name: 'coalesce arguments', sql: (n) => `SELECT coalesce(${items(n, () => 'NULL', ', ')})`, itemsMax: Infinity, refusedAt: (n) => n > 64 },
  { name: 'INSERT of computed rows', sql: (n) => `INSERT INTO sink (id, v) VALUES ${items(n, (i) => `(${i} + 0, abs(-0.5))`, ', ')} ON CONFLICT (id) DO NOTHING`,
    itemsMax: Infinity },
  { name: 'DELETE by IN list', sql: (n) => `DELETE FROM sink WHERE id IN (${items(n, (i) => `${i * 7}`, ',')})`, itemsMax: Infinity },
];

/** Tokens of `shape` with `n` items: each item adds the same tokens (the test checks it against the lexer). */
export function tokensOf(shape: HeavyShape, n: number): number {
  const one = tokenize(shape.sql(1)).length;
  return one + (n - 1) * (tokenize(shape.sql(2)).length - one);
}

/** The outcome the contract promises for `shape` with `n` items. */
export function expectedOutcome(shape: HeavyShape, n: number): 'answer' | 'LIMIT_EXCEEDED' | 'refused' {
  if (tokensOf(shape, n) > MAX_STATEMENT_TOKENS || n > shape.itemsMax) return 'LIMIT_EXCEEDED';
  return shape.refusedAt?.(n) === true ? 'refused' : 'answer';
}

/**
 * Item counts for `shape` drawn by `rng`: a few; right at the cap that binds or just past it;
 * and enough to fill most of the 16 MiB statement limit.
 */
export function drawCounts(shape: HeavyShape, rng: Random): number[] {
  const tokensPerItem = tokensOf(shape, 2) - tokensOf(shape, 1);
  const atTokenCap = Math.floor((MAX_STATEMENT_TOKENS - tokensOf(shape, 0)) / tokensPerItem);
  const perItem = (shape.sql(1001).length - shape.sql(1).length) / 1000;
  const fill = Math.floor((12 * 1024 * 1024) / perItem);
  const cap = Math.min(shape.itemsMax, atTokenCap);
  return [rng.between(1, 50), rng.chance(0.5) ? cap : cap + rng.between(1, 10), fill];
}
