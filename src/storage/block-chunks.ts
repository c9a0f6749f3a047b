import { compareBytes } from './bytes.js';
import type { RowKey, StoredRow } from './engine.js';
import { skipKeyTuple } from './key-codec.js';
import type { TableSchema } from './schema.js';

/**
 * The series a row key belongs to: its first key column when the PRIMARY KEY has more
 * (PRIMARY KEY (device, ts) → the device), else none. Blocks never mix series, so rows
 * appended per device land after their own device's last block instead of inside a block
 * shared with other devices (which a fold would have to rewrite every time).
 */
export function seriesOf(schema: TableSchema, key: RowKey): Uint8Array | undefined {
  if (schema.primaryKey.length < 2) return undefined;
  return key.subarray(0, skipKeyTuple(key, 0, 1));
}

/** Whether two row keys belong to the same series. */
export function sameSeries(schema: TableSchema, a: RowKey, b: RowKey): boolean {
  const seriesA = seriesOf(schema, a);
  const seriesB = seriesOf(schema, b);
  return seriesA === undefined || seriesB === undefined || compareBytes(seriesA, seriesB) === 0;
}

/** Split rows (in key order) into blocks of at most `blockRows` rows, one series each. */
export function chunkRows(
  schema: TableSchema,
  rows: readonly StoredRow[],
  blockRows: number,
): StoredRow[][] {
  const chunks: StoredRow[][] = [];
  let chunk: StoredRow[] = [];
  for (const row of rows) {
    const previous = chunk.at(-1);
    if (
      previous !== undefined &&
      (chunk.length >= blockRows || !sameSeries(schema, previous.key, row.key))
    ) {
      chunks.push(chunk);
      chunk = [];
    }
    chunk.push(row);
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
