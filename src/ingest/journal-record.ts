import { crc32 } from '../lib/index.js';

/** One journaled request (or slice of one): its payload, decoded by the journal's codec. */
export interface JournalRecord<T> {
  readonly seq: number;
  readonly receivedAtMs: number;
  readonly item: T;
  /** What the item counts for in batch sizes and backlog limits (readings, points). */
  readonly weight: number;
  /** Its size on disk, frame included. */
  readonly bytes: number;
}

/** How a journal turns its items into payload bytes and back. */
export interface JournalCodec<T> {
  encode(item: T): Uint8Array;
  /** Null when the payload is malformed (the scan then stops there, as at a torn record). */
  decode(payload: Uint8Array): T | null;
  weight(item: T): number;
}

/**
 * Frame (little-endian): u32 payload length | u32 CRC-32 of the payload | payload, where the
 * payload is u32 seq high | u32 seq low | f64 receivedAtMs | the codec's bytes of the item.
 */
const FRAME_BYTES = 8;
const PAYLOAD_HEADER_BYTES = 16;
/** Larger lengths are garbage, not records (a request is at most a few tens of MiB). */
const PAYLOAD_BYTES_MAX = 64 * 1024 * 1024;

/** The framed bytes of a record whose item the codec encoded as `body`. */
export function encodeJournalRecord(seq: number, receivedAtMs: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(FRAME_BYTES + PAYLOAD_HEADER_BYTES + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, PAYLOAD_HEADER_BYTES + body.length, true);
  view.setUint32(FRAME_BYTES, Math.floor(seq / 0x1_0000_0000), true);
  view.setUint32(FRAME_BYTES + 4, seq >>> 0, true);
  view.setFloat64(FRAME_BYTES + 8, receivedAtMs, true);
  out.set(body, FRAME_BYTES + PAYLOAD_HEADER_BYTES);
  view.setUint32(4, crc32(out.subarray(FRAME_BYTES)) >>> 0, true);
  return out;
}

/** What reading a segment found: its records, and where and why it stopped early, if it did. */
export interface SegmentScan<T> {
  readonly records: JournalRecord<T>[];
  /** Bytes of whole, valid records from the start. */
  readonly goodLength: number;
  readonly fault: string | null;
}

/** Reads every whole record of a segment; stops at the first torn or corrupt one. */
export function scanJournalSegment<T>(bytes: Uint8Array, codec: JournalCodec<T>): SegmentScan<T> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: JournalRecord<T>[] = [];
  let at = 0;
  while (at < bytes.length) {
    const fault = (why: string): SegmentScan<T> => ({ records, goodLength: at, fault: `${why} at offset ${at}` });
    if (at + FRAME_BYTES > bytes.length) return fault('torn frame header');
    const length = view.getUint32(at, true);
    if (length < PAYLOAD_HEADER_BYTES || length > PAYLOAD_BYTES_MAX) return fault(`implausible length ${length}`);
    const end = at + FRAME_BYTES + length;
    if (end > bytes.length) return fault('torn record');
    const payload = bytes.subarray(at + FRAME_BYTES, end);
    if ((crc32(payload) >>> 0) !== view.getUint32(at + 4, true)) return fault('checksum mismatch');
    const decoded = decodePayload(payload, end - at, codec);
    if (decoded === null) return fault('malformed payload');
    records.push(decoded);
    at = end;
  }
  return { records, goodLength: at, fault: null };
}

function decodePayload<T>(payload: Uint8Array, bytes: number, codec: JournalCodec<T>): JournalRecord<T> | null {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const seq = view.getUint32(0, true) * 0x1_0000_0000 + view.getUint32(4, true);
  const receivedAtMs = view.getFloat64(8, true);
  const item = codec.decode(payload.subarray(PAYLOAD_HEADER_BYTES));
  return item === null ? null : { seq, receivedAtMs, item, weight: codec.weight(item), bytes };
}
