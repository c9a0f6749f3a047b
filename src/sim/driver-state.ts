import { crc32 } from '../lib/index.js';
import { DEFAULT_STATEMENT_LIMITS, executeRead } from '../sql/index.js';
import type { StorageEngine } from '../storage/index.js';
import { InvariantViolation } from './checkers.js';

/** The tables the driver simulation's clients write. */
export const SETUP_STATEMENTS: readonly string[] = [
  'CREATE TABLE IF NOT EXISTS ev (k TEXT, n INT)',
  'CREATE TABLE IF NOT EXISTS counter (id INT PRIMARY KEY, n INT)',
  'INSERT INTO counter (id, n) VALUES (1, 0) ON CONFLICT DO NOTHING',
];

/** One client write: a new event row and the counter, in one atomic command. */
export function writeStatements(key: string, sequence: number): readonly string[] {
  return [`INSERT INTO ev (k, n) VALUES ('${key}', ${sequence})`, 'UPDATE counter SET n = n + 1 WHERE id = 1'];
}

/** What a node's SQL state holds, read from one consistent snapshot. */
export interface SqlState {
  readonly appliedIndex: number;
  /** Event keys in key order (duplicates kept: a write applied twice shows here). */
  readonly keys: readonly string[];
  readonly counter: number;
  readonly digest: string;
}

/**
 * Reads `storage`'s SQL state at its applied index (call when no apply is running) and checks
 * the per-node invariant: the counter counts the events, since each write does both at once.
 */
export async function readSqlState(node: string, storage: StorageEngine, nowMs: number): Promise<SqlState> {
  const appliedIndex = storage.appliedIndex;
  const reader = await storage.reader();
  try {
    if (reader.catalog.table('ev') === undefined || reader.catalog.table('counter') === undefined) {
      return { appliedIndex, keys: [], counter: 0, digest: 'no tables' };
    }
    const events = await executeRead('SELECT k, n FROM ev ORDER BY k, n', reader, nowMs, DEFAULT_STATEMENT_LIMITS);
    const counted = await executeRead('SELECT n FROM counter WHERE id = 1', reader, nowMs, DEFAULT_STATEMENT_LIMITS);
    if (events.kind !== 'rows' || counted.kind !== 'rows') throw new InvariantViolation(`${node}: a SELECT answered no rows`);
    const keys = events.rows.map((row) => String(row[0]));
    const counter = Number(counted.rows[0]?.[0] ?? 0);
    if (counter !== keys.length) {
      throw new InvariantViolation(`atomicity: ${node} at applied ${appliedIndex} counts ${counter} writes but holds ${keys.length} events`);
    }
    const text = events.rows.map((row) => `${String(row[0])}=${String(row[1])}`).join(',');
    return { appliedIndex, keys, counter, digest: `${keys.length}:${crc32(new TextEncoder().encode(text)).toString(16)}` };
  } finally {
    await reader.close();
  }
}
