import { assert, ChronosError } from '../lib/index.js';
import type { ReadingColumns } from './reading-columns.js';

/**
 * Binary form of ReadingColumns, shared by journal records and log entries (little-endian):
 * `u8 1 | u32 count | u32 devices | (u32 bytes | UTF-8)* | u32 metrics | (u32 bytes | UTF-8)* |
 * f64 ts[count] | f64 seq[count] | f64 value[count] | u32 device[count] | u32 metric[count]`.
 * The number columns are the typed arrays' own bytes, so encoding and decoding them is a copy.
 */
export const READING_COLUMNS_FORMAT = 1;

const BYTES_PER_READING = 3 * 8 + 2 * 4;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

// The columns are written as the typed arrays hold them; that is little-endian on every
// platform Node runs on, and a big-endian one would write files no other node could read.
assert(new Uint8Array(new Uint16Array([1]).buffer)[0] === 1, 'ingest columns need a little-endian platform');

/** The bytes of `columns`, after `headBytes` bytes left for the caller to fill. */
export function encodeReadingColumns(columns: ReadingColumns, headBytes = 0): Uint8Array {
  const devices = columns.devices.map((name) => encoder.encode(name));
  const metrics = columns.metrics.map((name) => encoder.encode(name));
  const nameBytes = [...devices, ...metrics].reduce((sum, name) => sum + 4 + name.length, 0);
  const out = new Uint8Array(headBytes + 1 + 4 + 4 + 4 + nameBytes + columns.length * BYTES_PER_READING);
  const view = new DataView(out.buffer);
  let at = headBytes;
  out[at++] = READING_COLUMNS_FORMAT;
  view.setUint32(at, columns.length, true);
  at += 4;
  for (const names of [devices, metrics]) {
    view.setUint32(at, names.length, true);
    at += 4;
    for (const name of names) {
      view.setUint32(at, name.length, true);
      out.set(name, at + 4);
      at += 4 + name.length;
    }
  }
  for (const column of [columns.ts, columns.seq, columns.value, columns.device, columns.metric]) {
    out.set(new Uint8Array(column.buffer, column.byteOffset, column.byteLength), at);
    at += column.byteLength;
  }
  assert(at === out.length, `reading columns encoded to ${at} bytes, expected ${out.length}`);
  return out;
}

/** Decodes columns written by encodeReadingColumns at `bytes[offset..]` to its end; CORRUPTION when malformed. */
export function decodeReadingColumns(bytes: Uint8Array, offset: number, what: string): ReadingColumns {
  const bad = (why: string, at: number): never => {
    throw new ChronosError('CORRUPTION', `Corrupt ${what}: ${why} at offset ${at}`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = offset;
  const need = (count: number): void => {
    if (at + count > bytes.length) bad(`truncated (needs ${count} more bytes)`, at);
  };
  need(5);
  if (bytes[at] !== READING_COLUMNS_FORMAT) bad(`unknown reading columns format ${bytes[at] ?? ''}`, at);
  const length = view.getUint32(at + 1, true);
  at += 5;
  const readNames = (): string[] => {
    need(4);
    const count = view.getUint32(at, true);
    at += 4;
    const names: string[] = [];
    for (let i = 0; i < count; i++) {
      need(4);
      const size = view.getUint32(at, true);
      need(4 + size);
      if (size === 0) bad('empty device id or metric name', at);
      names.push(decoder.decode(bytes.subarray(at + 4, at + 4 + size)));
      at += 4 + size;
    }
    return names;
  };
  const devices = readNames();
  const metrics = readNames();
  if (bytes.length - at !== length * BYTES_PER_READING) bad(`${bytes.length - at} bytes of columns for ${length} readings`, at);
  const floats = (): Float64Array => {
    const column = new Float64Array(length);
    new Uint8Array(column.buffer).set(bytes.subarray(at, at + 8 * length));
    at += 8 * length;
    return column;
  };
  const indexes = (): Uint32Array => {
    const column = new Uint32Array(length);
    new Uint8Array(column.buffer).set(bytes.subarray(at, at + 4 * length));
    at += 4 * length;
    return column;
  };
  const columns: ReadingColumns = {
    length, devices, metrics, ts: floats(), seq: floats(), value: floats(), device: indexes(), metric: indexes(),
  };
  const problem = columnsProblem(columns);
  return problem === null ? columns : bad(problem, offset);
}

/** What is wrong with decoded columns, or null: indexes in range, integer times, finite values. */
function columnsProblem(columns: ReadingColumns): string | null {
  for (let i = 0; i < columns.length; i++) {
    if ((columns.device[i] ?? 0) >= columns.devices.length) return `reading ${i} names device ${columns.device[i] ?? ''} of ${columns.devices.length}`;
    if ((columns.metric[i] ?? 0) >= columns.metrics.length) return `reading ${i} names metric ${columns.metric[i] ?? ''} of ${columns.metrics.length}`;
    if (!Number.isSafeInteger(columns.ts[i]) || !Number.isSafeInteger(columns.seq[i])) return `reading ${i} has a non-integer ts or seq`;
    if (!Number.isFinite(columns.value[i])) return `reading ${i} has a non-finite value`;
  }
  return null;
}
