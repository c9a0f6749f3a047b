import type { Row, WriteTransaction } from '../storage/index.js';
import { ChronosError } from '../lib/index.js';
import type { IngestBatch } from './batch.js';
import type { JournalBatch } from './journal-batch.js';
import { READINGS_TABLE } from './reading.js';
import type { ReadingColumns } from './reading-columns.js';
import { readingBlockColumns, readingIdAt, readingRows, readingsTableProblem } from './readings-table.js';
import { recordFreshReadings } from './stored-readings.js';

/** What applying a batch did. */
export interface IngestApplied {
  readonly inserted: number;
  /** Readings already stored (a resent reading, or a batch applied before). */
  readonly duplicates: number;
  /** Set when `readings` can't take rows (dropped or altered since the 202): nothing stored. */
  readonly problem: string | null;
}

const encoder = new TextEncoder();
/** Fresh readings a batch needs before its rows are written as column blocks. */
const BLOCK_ROWS_MIN = 128;

/** The journal cursor of `source`: the last of its records whose readings are stored. */
export function cursorName(source: string): string {
  return `ingest-cursor:${source}`;
}

/** Decodes a stored cursor (absent = nothing applied yet). */
export function decodeCursor(bytes: Uint8Array | undefined): number {
  if (bytes === undefined || bytes.length !== 8) return 0;
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0, false);
}

/** The bytes of a stored cursor. */
export function encodeCursor(seq: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setFloat64(0, seq, false);
  return out;
}

/**
 * Stores a batch's readings, each once: a reading the table's index of stored readings holds
 * (stored-readings.ts) is a duplicate, and a batch at or below its source's cursor was applied
 * before. The cursor advances in the same transaction as the rows, so a crash re-applies
 * nothing twice and skips nothing.
 */
export async function applyIngestBatch(txn: WriteTransaction, batch: IngestBatch): Promise<IngestApplied> {
  if (await advanceCursor(txn, cursorName(batch.source), batch) === 'replayed') {
    return { inserted: 0, duplicates: batch.readings.length, problem: null };
  }
  const schema = txn.catalog.table(READINGS_TABLE);
  const problem = readingsTableProblem(schema);
  if (schema === undefined || problem !== null) return { inserted: 0, duplicates: 0, problem };
  const readings = batch.readings;
  const legacy = await txn.hasMarks(READINGS_TABLE) ? await legacyMarked(txn, readings) : null;
  const fresh = await recordFreshReadings(txn, READINGS_TABLE, readings, legacy);
  let count = 0;
  for (let i = 0; i < readings.length; i++) count += fresh[i] as number;
  // A bulk batch becomes column blocks at once; a few readings go to the head (a block of ten
  // rows would cost every later scan more than the head entries do).
  if (count >= BLOCK_ROWS_MIN && await txn.insertAsBlocks(READINGS_TABLE, readingBlockColumns(schema, readings, fresh, count), batch.nowMs)) {
    return { inserted: count, duplicates: readings.length - count, problem: null };
  }
  const toRow = readingRows(schema);
  const rows: Row[] = [];
  for (let i = 0; i < readings.length; i++) if (fresh[i] === 1) rows.push(toRow(readings, i, readingIdAt(readings, i)));
  await txn.insertMany(READINGS_TABLE, rows, batch.nowMs);
  return { inserted: rows.length, duplicates: readings.length - rows.length, problem: null };
}

/** Which readings older versions stored with a per-reading mark (their reading id). */
async function legacyMarked(txn: WriteTransaction, readings: ReadingColumns): Promise<Uint8Array> {
  const ids = Array.from({ length: readings.length }, (_, i) => encoder.encode(readingIdAt(readings, i)));
  return Uint8Array.from(await txn.marked(READINGS_TABLE, ids), (marked) => (marked ? 1 : 0));
}

/**
 * Moves the journal cursor `name` to the batch's last record, or says the batch was applied
 * before ('replayed': the cursor is past it). A batch sent behind one still in flight throws
 * NOT_APPLIED (nothing written) until that one has applied: the drainer starts over from it.
 */
export async function advanceCursor(txn: WriteTransaction, name: string, batch: JournalBatch): Promise<'replayed' | 'advanced'> {
  const cursor = decodeCursor(await txn.getNamedValue(name));
  if (batch.lastSeq <= cursor) return 'replayed';
  if (batch.afterPrevious && cursor < batch.firstSeq - 1) {
    throw new ChronosError('NOT_APPLIED', `records ${batch.firstSeq}..${batch.lastSeq} of journal ${batch.source} ` +
      `wait for ${cursor + 1}..${batch.firstSeq - 1}, which did not apply; they are sent again`);
  }
  txn.putNamedValue(name, encodeCursor(batch.lastSeq));
  return 'advanced';
}
