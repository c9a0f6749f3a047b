import type { JournalCodec } from './journal-record.js';
import type { Reading } from './reading.js';
import { readingColumnsOf } from './reading-columns.js';
import type { ReadingColumns } from './reading-columns.js';
import { decodeReadingColumns, encodeReadingColumns } from './reading-columns-codec.js';

const decoder = new TextDecoder('utf-8', { fatal: true });
/** Records written before the binary columns hold JSON [device, ts, seq, metric, value] tuples. */
const LEGACY_JSON_START = 0x5b;

/** The `/ingest` journal's records: a request's readings as binary columns (reading-columns-codec.ts). */
export const READINGS_CODEC: JournalCodec<ReadingColumns> = {
  encode: (readings) => encodeReadingColumns(readings),
  decode(payload) {
    try {
      return payload[0] === LEGACY_JSON_START ? decodeLegacy(payload) : decodeReadingColumns(payload, 0, 'ingest journal record');
    } catch {
      return null;
    }
  },
  weight: (readings) => readings.length,
};

function decodeLegacy(payload: Uint8Array): ReadingColumns | null {
  const tuples: unknown = JSON.parse(decoder.decode(payload));
  if (!Array.isArray(tuples)) return null;
  const readings = tuples.map((tuple: unknown): Reading | null => {
    if (!Array.isArray(tuple)) return null;
    const [deviceId, ts, seq, metric, value] = tuple as unknown[];
    if (typeof deviceId !== 'string' || typeof metric !== 'string' || !Number.isSafeInteger(ts) ||
      !Number.isSafeInteger(seq) || typeof value !== 'number') return null;
    return { deviceId, ts: ts as number, seq: seq as number, metric, value };
  });
  return readings.every((r) => r !== null) ? readingColumnsOf(readings as Reading[]) : null;
}
