import { ChronosError } from '../lib/index.js';
import type { IngestApplied } from './apply.js';
import { DRAIN_BATCH_READINGS } from './drainer.js';
import type { DrainPlan } from './drainer.js';
import { journalBatchOf } from './journal-batch.js';
import type { JournalBatch } from './journal-batch.js';
import { concatReadingColumns, readingColumnsOf } from './reading-columns.js';
import type { ReadingColumns } from './reading-columns.js';
import { decodeReadingColumns, encodeReadingColumns } from './reading-columns-codec.js';

/** Readings a node journaled, applied as one log entry. */
export interface IngestBatch extends JournalBatch {
  readonly readings: ReadingColumns;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Entry body (little-endian): `u8 1 | u8 afterPrevious | f64 firstSeq | f64 lastSeq | f64 nowMs |
 * u32 source bytes | source UTF-8 | reading columns`. Entries written before were JSON objects.
 */
const BATCH_FORMAT = 1;
const LEGACY_JSON_START = 0x7b;
const HEAD_BYTES = 2 + 3 * 8 + 4;

/** The log entry body of `batch`. */
export function encodeIngestBatch(batch: IngestBatch): Uint8Array {
  const source = encoder.encode(batch.source);
  const out = encodeReadingColumns(batch.readings, HEAD_BYTES + source.length);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out[0] = BATCH_FORMAT;
  out[1] = batch.afterPrevious ? 1 : 0;
  view.setFloat64(2, batch.firstSeq, true);
  view.setFloat64(10, batch.lastSeq, true);
  view.setFloat64(18, batch.nowMs, true);
  view.setUint32(26, source.length, true);
  out.set(source, HEAD_BYTES);
  return out;
}

/** Inverse of encodeIngestBatch (and reads the older JSON entries); CORRUPTION when malformed. */
export function decodeIngestBatch(bytes: Uint8Array): IngestBatch {
  if (bytes[0] === LEGACY_JSON_START) return decodeLegacyBatch(bytes);
  const bad = (what: string): never => {
    throw new ChronosError('CORRUPTION', `Corrupt ingest batch: ${what}`);
  };
  if (bytes.length < HEAD_BYTES) return bad(`${bytes.length} bytes, shorter than its head`);
  if (bytes[0] !== BATCH_FORMAT) return bad(`unknown format ${bytes[0] ?? ''} at offset 0`);
  if (bytes[1] !== 0 && bytes[1] !== 1) return bad(`afterPrevious flag ${bytes[1] ?? ''} at offset 1`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sourceBytes = view.getUint32(26, true);
  if (HEAD_BYTES + sourceBytes > bytes.length) return bad(`source of ${sourceBytes} bytes past the end at offset 26`);
  return {
    source: decoder.decode(bytes.subarray(HEAD_BYTES, HEAD_BYTES + sourceBytes)),
    firstSeq: view.getFloat64(2, true), lastSeq: view.getFloat64(10, true), nowMs: view.getFloat64(18, true),
    afterPrevious: bytes[1] === 1,
    readings: decodeReadingColumns(bytes, HEAD_BYTES + sourceBytes, 'ingest batch'),
  };
}

/** An entry written before the binary format: JSON with readings as [device, ts, seq, metric, value] tuples. */
function decodeLegacyBatch(bytes: Uint8Array): IngestBatch {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch (cause) {
    throw new ChronosError('CORRUPTION', 'Corrupt ingest batch: not JSON', { cause });
  }
  const bad = (what: string): never => {
    throw new ChronosError('CORRUPTION', `Corrupt ingest batch: ${what}`);
  };
  if (typeof value !== 'object' || value === null) return bad('not an object');
  const head = journalBatchOf(value as Record<string, unknown>);
  const { r } = value as Record<string, unknown>;
  if (head === null || !Array.isArray(r)) return bad('missing fields');
  const readings = r.map((tuple: unknown, i) => {
    if (!Array.isArray(tuple) || tuple.length !== 5) return bad(`reading ${i} malformed`);
    const [deviceId, ts, seq, metric, reading] = tuple as unknown[];
    if (typeof deviceId !== 'string' || typeof ts !== 'number' || typeof seq !== 'number' ||
      typeof metric !== 'string' || typeof reading !== 'number') return bad(`reading ${i} malformed`);
    return { deviceId, ts, seq, metric, value: reading };
  });
  return { ...head, readings: readingColumnsOf(readings) };
}

/** How the `/ingest` drainer makes batches of its journal's records. */
export const READINGS_DRAIN_PLAN: DrainPlan<ReadingColumns, IngestBatch, IngestApplied> = {
  batch: (records, head) => ({
    ...head, firstSeq: records[0]?.seq ?? 0, lastSeq: records.at(-1)?.seq ?? 0,
    readings: concatReadingColumns(records.map((record) => record.item)),
  }),
  problem: (applied) => applied.problem,
  itemsPerBatch: DRAIN_BATCH_READINGS,
};
