import type { StatementResult } from '../sql/index.js';
import { yieldToEventLoop } from '../lib/index.js';
import { headBytes, rowsBytes } from './sql-response-wire.js';

/** Rows encoded between two turns of the event loop (~0.75 ms of four-column rows). */
const ROWS_PER_SLICE = 1_000;

/**
 * A SqlResponse as its wire bytes (sql-response-wire.ts), built in slices that yield to the
 * event loop. Encoding a 300,000-row answer in one call held the loop for 2-3 s (protobufjs),
 * long enough for a leader to lose its followers; directly it is still ~0.2 s. A message's encoding is the concatenation of its fields', and
 * a repeated field's elements may come in several runs, so the rows are encoded a slice at a
 * time as SqlResponse messages holding only rows, after one holding the rest.
 */
export async function sqlResponseBytes(result: StatementResult): Promise<Buffer> {
  if (result.kind !== 'rows') return headBytes(result);
  if (result.rows.length <= ROWS_PER_SLICE) return Buffer.concat([headBytes(result), rowsBytes(result.rows, result.columnTypes)]);
  const parts: Buffer[] = [headBytes(result)];
  for (let start = 0; start < result.rows.length; start += ROWS_PER_SLICE) {
    parts.push(rowsBytes(result.rows.slice(start, start + ROWS_PER_SLICE), result.columnTypes));
    await yieldToEventLoop();
  }
  return Buffer.concat(parts);
}
