import type { StatementResult } from '../sql/index.js';
import { yieldToEventLoop } from '../lib/index.js';
import { protoMethod } from './proto-loader.js';
import { resultToSqlResponse, rowToProto } from './sql-codec.js';

/** Rows encoded between two turns of the event loop (a few milliseconds of protobufjs). */
const ROWS_PER_SLICE = 500;

/**
 * A SqlResponse as its wire bytes, built in slices that yield to the event loop. Encoding a
 * 300,000-row answer in one call holds the loop for 2-3 s (protobufjs), long enough for a
 * leader to lose its followers. A message's encoding is the concatenation of its fields', and
 * a repeated field's elements may come in several runs, so the rows are encoded a slice at a
 * time as SqlResponse messages holding only rows, after one holding the rest.
 */
export async function sqlResponseBytes(result: StatementResult): Promise<Buffer> {
  const serialize = protoMethod('raft.SqlService', 'ExecuteSql').responseSerialize;
  if (result.kind !== 'rows' || result.rows.length <= ROWS_PER_SLICE) return serialize(resultToSqlResponse(result));
  const parts: Buffer[] = [serialize({ success: true, columns: [...result.columns] })];
  for (let start = 0; start < result.rows.length; start += ROWS_PER_SLICE) {
    const slice = result.rows.slice(start, start + ROWS_PER_SLICE);
    parts.push(serialize({ rows: slice.map((row) => rowToProto(row, result.columnTypes)) }));
    await yieldToEventLoop();
  }
  return Buffer.concat(parts);
}
