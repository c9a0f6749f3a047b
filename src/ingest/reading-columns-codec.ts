import { assert, ChronosError } from '../lib/index.js';
import { ByteReader, decimalScaling } from '../storage/index.js';
import type { ReadingColumns } from './reading-columns.js';
import { writeVarint } from './varint.js';

/**
 * Binary forms of ReadingColumns, shared by journal records and log entries. Format 3 (written):
 * `u8 3 | varint count | varint devices | (varint bytes | UTF-8)* | varint metrics | (varint
 * bytes | UTF-8)* | u8 ts form | u8 seq form | u8 value form | varint device[count] | varint
 * metric[count] | ts[count] | seq[count] | values`. A ts or seq column is DELTAS (the zigzag
 * varint of each one's difference from the one before: a gateway's readings share or step their
 * times, so most take a byte) or RAW (f64 each, when a difference is too large to stay exact).
 * Values are DECIMAL (`u8 k`, then the zigzag varints of the differences of value·10^k, when
 * that gives back every value bit for bit: sensor readings like 21.37 take two bytes) or RAW.
 * About 6 bytes a reading from a gateway instead of 32: the journal, the WAL and every
 * follower's copy of a log entry carry a fifth. Format 2 (this session's first; still read) is
 * format 3 without the value form, values RAW. Format 1 (older versions; still read),
 * little-endian: `u8 1 | u32 count | u32 devices | (u32 bytes | UTF-8)* | u32 metrics | (u32
 * bytes | UTF-8)* | f64 ts[count] | f64 seq[count] | f64 value[count] | u32 device[count] | u32
 * metric[count]`.
 */
export const READING_COLUMNS_FORMAT = 3;
const FORMAT_RAW_VALUES = 2;
const FORMAT_FIXED = 1;

const FIXED_BYTES_PER_READING = 3 * 8 + 2 * 4;
/** The most a reading takes in format 3: two 5-byte index varints, two f64s, a value. */
const MAX_BYTES_PER_READING = 5 + 5 + 8 + 8 + 8;
const DELTAS = 1;
const RAW = 2;
const DECIMAL = 3;
/** 10^k for the decimals a DECIMAL value column may have (float-decimal-codec's range). */
const POWERS = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];
/** Differences below this stay exact doubled (zigzag) in a double. */
const DELTA_LIMIT = 2 ** 51;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

// Value columns are copied as the typed arrays hold them; that is little-endian on every
// platform Node runs on, and a big-endian one would write files no other node could read.
assert(new Uint8Array(new Uint16Array([1]).buffer)[0] === 1, 'ingest columns need a little-endian platform');

/** DELTAS when every difference between neighbours (the first from 0) is small enough, else RAW. */
function timeForm(column: Float64Array): number {
  let previous = 0;
  for (let i = 0; i < column.length; i++) {
    const value = column[i] ?? 0;
    if (Math.abs(value - previous) >= DELTA_LIMIT) return RAW;
    previous = value;
  }
  return DELTAS;
}

function writeTimes(out: Uint8Array, at: number, column: Float64Array, form: number): number {
  if (form === RAW) {
    out.set(new Uint8Array(column.buffer, column.byteOffset, column.byteLength), at);
    return at + column.byteLength;
  }
  return writeDeltas(out, at, column);
}

/** Each number's difference from the one before (the first's from 0) as a zigzag varint; every difference must be below DELTA_LIMIT. */
function writeDeltas(out: Uint8Array, at: number, column: ArrayLike<number>): number {
  let offset = at;
  let previous = 0;
  for (let i = 0; i < column.length; i++) {
    const value = column[i] ?? 0;
    const delta = value - previous;
    previous = value;
    offset = writeVarint(out, offset, delta < 0 ? -2 * delta - 1 : 2 * delta);
  }
  return offset;
}

/** The bytes of `columns` in format 3, after `headBytes` bytes left for the caller to fill. */
export function encodeReadingColumns(columns: ReadingColumns, headBytes = 0): Uint8Array {
  const devices = columns.devices.map((name) => encoder.encode(name));
  const metrics = columns.metrics.map((name) => encoder.encode(name));
  const nameBytes = [...devices, ...metrics].reduce((sum, name) => sum + 5 + name.length, 0);
  const out = new Uint8Array(headBytes + 1 + 5 + 5 + 5 + 2 + nameBytes + columns.length * MAX_BYTES_PER_READING);
  let at = headBytes;
  out[at++] = READING_COLUMNS_FORMAT;
  at = writeVarint(out, at, columns.length);
  for (const names of [devices, metrics]) {
    at = writeVarint(out, at, names.length);
    for (const name of names) {
      at = writeVarint(out, at, name.length);
      out.set(name, at);
      at += name.length;
    }
  }
  const tsForm = timeForm(columns.ts);
  const seqForm = timeForm(columns.seq);
  const decimal = decimalScaling(columns.value);
  out[at++] = tsForm;
  out[at++] = seqForm;
  out[at++] = decimal === undefined ? RAW : DECIMAL;
  for (const column of [columns.device, columns.metric]) {
    for (let i = 0; i < columns.length; i++) at = writeVarint(out, at, column[i] ?? 0);
  }
  at = writeTimes(out, at, columns.ts, tsForm);
  at = writeTimes(out, at, columns.seq, seqForm);
  if (decimal === undefined) {
    out.set(new Uint8Array(columns.value.buffer, columns.value.byteOffset, columns.value.byteLength), at);
    at += columns.value.byteLength;
  } else {
    out[at++] = decimal.decimals;
    at = writeDeltas(out, at, decimal.scaled);
  }
  return out.slice(0, at);
}

/** Decodes columns written by encodeReadingColumns (either format) at `bytes[offset..]` to its end; CORRUPTION when malformed. */
export function decodeReadingColumns(bytes: Uint8Array, offset: number, what: string): ReadingColumns {
  const reader = new ColumnReader(bytes, offset, what);
  const format = reader.u8();
  if (format !== READING_COLUMNS_FORMAT && format !== FORMAT_RAW_VALUES && format !== FORMAT_FIXED) {
    reader.fail(`unknown reading columns format ${format}`);
  }
  const columns = format === FORMAT_FIXED ? readFixed(reader) : readCompact(reader, format === READING_COLUMNS_FORMAT);
  const problem = columnsProblem(columns);
  return problem === null ? columns : reader.fail(problem, offset);
}

/** Reads the parts of an encoded column set, failing with CORRUPTION and where. */
class ColumnReader {
  readonly #bytes: ByteReader;
  readonly #what: string;

  constructor(bytes: Uint8Array, offset: number, what: string) {
    this.#bytes = new ByteReader(bytes, what, offset);
    this.#what = what;
  }

  get remaining(): number {
    return this.#bytes.remaining;
  }

  fail(why: string, at = this.#bytes.offset): never {
    throw new ChronosError('CORRUPTION', `Corrupt ${this.#what}: ${why} at offset ${at}`);
  }

  u8(): number {
    return this.#bytes.u8();
  }

  /** A little-endian u32 (format 1). */
  u32(): number {
    const bytes = this.#bytes.bytes(4);
    return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  }

  varint(): number {
    return this.#bytes.varint();
  }

  names(size: () => number): string[] {
    const count = size();
    const names: string[] = [];
    for (let i = 0; i < count; i++) {
      const start = this.#bytes.offset;
      const length = size();
      if (length === 0) this.fail('empty device id or metric name', start);
      names.push(decoder.decode(this.#bytes.bytes(length)));
    }
    return names;
  }

  /** `count` numbers of 8 (f64) or 4 (u32) bytes, copied into an aligned array. */
  copied<A extends Float64Array | Uint32Array>(make: (length: number) => A, count: number): A {
    const column = make(count);
    new Uint8Array(column.buffer).set(this.#bytes.bytes(column.byteLength));
    return column;
  }

  indexes(count: number): Uint32Array {
    const column = new Uint32Array(count);
    for (let i = 0; i < count; i++) column[i] = this.varint();
    return column;
  }

  times(count: number, form: number): Float64Array {
    if (form === RAW) return this.copied((n) => new Float64Array(n), count);
    if (form !== DELTAS) this.fail(`unknown time column form ${form}`);
    return this.deltas(count);
  }

  values(count: number, form: number): Float64Array {
    if (form === RAW) return this.copied((n) => new Float64Array(n), count);
    if (form !== DECIMAL) this.fail(`unknown value column form ${form}`);
    const power = POWERS[this.u8()] ?? this.fail('a decimal scale above 6');
    const column = this.deltas(count);
    for (let i = 0; i < count; i++) column[i] = (column[i] ?? 0) / power;
    return column;
  }

  /** `count` numbers written by writeDeltas. */
  deltas(count: number): Float64Array {
    const column = new Float64Array(count);
    let previous = 0;
    for (let i = 0; i < count; i++) {
      const zigzagged = this.varint();
      previous += zigzagged % 2 === 1 ? -(zigzagged + 1) / 2 : zigzagged / 2;
      column[i] = previous;
    }
    return column;
  }
}

function readCompact(reader: ColumnReader, valueForm: boolean): ReadingColumns {
  const length = reader.varint();
  const devices = reader.names(() => reader.varint());
  const metrics = reader.names(() => reader.varint());
  const tsForm = reader.u8();
  const seqForm = reader.u8();
  const valuesForm = valueForm ? reader.u8() : RAW;
  // Refuse a count the bytes cannot hold before allocating for it.
  const least = [tsForm, seqForm, valuesForm].reduce((sum, form) => sum + (form === RAW ? 8 : 1), 2);
  if (length * least > reader.remaining) reader.fail(`${length} readings in ${reader.remaining} bytes`);
  const device = reader.indexes(length);
  const metric = reader.indexes(length);
  const ts = reader.times(length, tsForm);
  const seq = reader.times(length, seqForm);
  const value = reader.values(length, valuesForm);
  if (reader.remaining !== 0) reader.fail(`${reader.remaining} bytes after the columns of ${length} readings`);
  return { length, devices, metrics, ts, seq, value, device, metric };
}

function readFixed(reader: ColumnReader): ReadingColumns {
  const length = reader.u32();
  const devices = reader.names(() => reader.u32());
  const metrics = reader.names(() => reader.u32());
  if (reader.remaining !== length * FIXED_BYTES_PER_READING) reader.fail(`${reader.remaining} bytes of columns for ${length} readings`);
  const ts = reader.copied((n) => new Float64Array(n), length);
  const seq = reader.copied((n) => new Float64Array(n), length);
  const value = reader.copied((n) => new Float64Array(n), length);
  const device = reader.copied((n) => new Uint32Array(n), length);
  const metric = reader.copied((n) => new Uint32Array(n), length);
  return { length, devices, metrics, ts, seq, value, device, metric };
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
