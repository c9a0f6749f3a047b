import { assert, crc32 } from '../lib/index.js';
import {
  FRAME_HEADER_BYTES,
  MalformedRecordError,
  RECORD_PAYLOAD_BYTES_MAX,
  decodePayload,
  isRecordType,
} from './record.js';
import type { WalRecord } from './record.js';

/** A segment file: `<seq>-<firstIndex>.wal`, both zero-padded to 16 decimal digits. */
export interface SegmentName {
  readonly seq: number;
  /** The log's last index + 1 when the segment was started; every earlier entry is below it. */
  readonly firstIndex: number;
  readonly name: string;
}

const SEGMENT_PATTERN = /^(\d{16})-(\d{16})\.wal$/;

/** The file name of a segment; names sort by sequence number, then by first index. */
export function segmentFileName(seq: number, firstIndex: number): string {
  assert(Number.isSafeInteger(seq) && seq >= 1, `segment seq ${seq}`);
  assert(Number.isSafeInteger(firstIndex) && firstIndex >= 1, `segment first index ${firstIndex}`);
  return `${String(seq).padStart(16, '0')}-${String(firstIndex).padStart(16, '0')}.wal`;
}

/** Parses a segment file name; null for any other file. */
export function parseSegmentName(name: string): SegmentName | null {
  const match = SEGMENT_PATTERN.exec(name);
  if (match === null || match[1] === undefined || match[2] === undefined) return null;
  return { seq: Number(match[1]), firstIndex: Number(match[2]), name };
}

/** A record and the byte offset of its frame in the segment. */
export interface ScannedRecord {
  readonly record: WalRecord;
  readonly offset: number;
}

/** Why the scan stopped before the end of the file. */
export interface ScanFault {
  readonly offset: number;
  readonly reason: string;
  /** True when this cannot be a torn write: a valid frame follows it, or its CRC held. */
  readonly definitelyCorrupt: boolean;
}

/** The records of one segment, and the fault (if any) that ended the scan. */
export interface SegmentScan {
  readonly records: readonly ScannedRecord[];
  /** Bytes up to the end of the last good record. */
  readonly goodLength: number;
  readonly fault: ScanFault | null;
}

/** Checks the frame at `offset`: null when it is whole and its CRC holds, else why not. */
function frameProblem(bytes: Uint8Array, offset: number): string | null {
  if (bytes.length - offset < FRAME_HEADER_BYTES) return 'partial record header';
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, FRAME_HEADER_BYTES);
  const payloadLength = view.getUint32(0, true);
  if (payloadLength > RECORD_PAYLOAD_BYTES_MAX) return `record length ${payloadLength} too big`;
  const end = offset + FRAME_HEADER_BYTES + payloadLength;
  if (end > bytes.length) return 'partial record';
  if (!isRecordType(bytes[offset + 8] ?? 0)) return 'unknown record type';
  if (crc32(bytes, offset + 8, end) !== view.getUint32(4, true)) return 'checksum mismatch';
  return null;
}

/** True when a whole, CRC-valid frame starts anywhere after `offset` (so not a torn tail). */
function validFrameAfter(bytes: Uint8Array, offset: number): boolean {
  let allZero = true;
  for (let i = offset; i < bytes.length; i++) {
    if (bytes[i] !== 0) {
      allZero = false;
      break;
    }
  }
  // File systems may extend a file with zeros before the data lands; zeros are a torn tail.
  if (allZero) return false;
  for (let at = offset + 1; at + FRAME_HEADER_BYTES <= bytes.length; at++) {
    if (frameProblem(bytes, at) === null) return true;
  }
  return false;
}

/** Reads every record of a segment, stopping at the first bad frame. */
export function scanSegment(bytes: Uint8Array): SegmentScan {
  const records: ScannedRecord[] = [];
  let offset = 0;
  // Bounded: each iteration advances by at least one frame header or returns.
  while (offset < bytes.length) {
    const problem = frameProblem(bytes, offset);
    if (problem !== null) {
      const fault = { offset, reason: problem, definitelyCorrupt: validFrameAfter(bytes, offset) };
      return { records, goodLength: offset, fault };
    }
    const header = new DataView(bytes.buffer, bytes.byteOffset + offset, 4);
    const payloadLength = header.getUint32(0, true);
    const end = offset + FRAME_HEADER_BYTES + payloadLength;
    try {
      const record = decodePayload(bytes[offset + 8] ?? 0, bytes, offset + FRAME_HEADER_BYTES, end);
      records.push({ record, offset });
    } catch (error) {
      if (!(error instanceof MalformedRecordError)) throw error;
      const fault = { offset, reason: error.message, definitelyCorrupt: true };
      return { records, goodLength: offset, fault };
    }
    offset = end;
  }
  return { records, goodLength: offset, fault: null };
}
