import { crc32 } from '../lib/crc32.js';
import type { Reading } from './reading.js';

/** One journaled request: its readings, in the order they came. */
export interface JournalRecord {
  readonly seq: number;
  readonly receivedAtMs: number;
  readonly readings: readonly Reading[];
  /** Its size on disk, frame included. */
  readonly bytes: number;
}

/**
 * Frame (little-endian): u32 payload length | u32 CRC-32 of the payload | payload, where the
 * payload is u32 seq high | u32 seq low | f64 receivedAtMs | UTF-8 JSON of
 * [device, ts, seq, metric, value] tuples.
 */
const FRAME_BYTES = 8;
const PAYLOAD_HEADER_BYTES = 16;
/** Larger lengths are garbage, not records (a request is at most a few MiB). */
const PAYLOAD_BYTES_MAX = 64 * 1024 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The framed bytes of a record. */
export function encodeJournalRecord(seq: number, receivedAtMs: number, readings: readonly Reading[]): Uint8Array {
  const json = encoder.encode(JSON.stringify(readings.map((r) => [r.deviceId, r.ts, r.seq, r.metric, r.value])));
  const out = new Uint8Array(FRAME_BYTES + PAYLOAD_HEADER_BYTES + json.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, PAYLOAD_HEADER_BYTES + json.length, true);
  view.setUint32(FRAME_BYTES, Math.floor(seq / 0x1_0000_0000), true);
  view.setUint32(FRAME_BYTES + 4, seq >>> 0, true);
  view.setFloat64(FRAME_BYTES + 8, receivedAtMs, true);
  out.set(json, FRAME_BYTES + PAYLOAD_HEADER_BYTES);
  view.setUint32(4, crc32(out.subarray(FRAME_BYTES)) >>> 0, true);
  return out;
}

/** What reading a segment found: its records, and where and why it stopped early, if it did. */
export interface SegmentScan {
  readonly records: JournalRecord[];
  /** Bytes of whole, valid records from the start. */
  readonly goodLength: number;
  readonly fault: string | null;
}

/** Reads every whole record of a segment; stops at the first torn or corrupt one. */
export function scanJournalSegment(bytes: Uint8Array): SegmentScan {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: JournalRecord[] = [];
  let at = 0;
  while (at < bytes.length) {
    const fault = (why: string): SegmentScan => ({ records, goodLength: at, fault: `${why} at offset ${at}` });
    if (at + FRAME_BYTES > bytes.length) return fault('torn frame header');
    const length = view.getUint32(at, true);
    if (length < PAYLOAD_HEADER_BYTES || length > PAYLOAD_BYTES_MAX) return fault(`implausible length ${length}`);
    const end = at + FRAME_BYTES + length;
    if (end > bytes.length) return fault('torn record');
    const payload = bytes.subarray(at + FRAME_BYTES, end);
    if ((crc32(payload) >>> 0) !== view.getUint32(at + 4, true)) return fault('checksum mismatch');
    const decoded = decodePayload(payload, end - at);
    if (decoded === null) return fault('malformed payload');
    records.push(decoded);
    at = end;
  }
  return { records, goodLength: at, fault: null };
}

function decodePayload(payload: Uint8Array, bytes: number): JournalRecord | null {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const seq = view.getUint32(0, true) * 0x1_0000_0000 + view.getUint32(4, true);
  const receivedAtMs = view.getFloat64(8, true);
  try {
    const tuples: unknown = JSON.parse(decoder.decode(payload.subarray(PAYLOAD_HEADER_BYTES)));
    if (!Array.isArray(tuples)) return null;
    const readings = tuples.map((tuple: unknown): Reading => {
      const [deviceId, ts, readingSeq, metric, value] = tuple as [string, number, number, string, number];
      return { deviceId, ts, seq: readingSeq, metric, value };
    });
    return { seq, receivedAtMs, readings, bytes };
  } catch {
    return null;
  }
}
