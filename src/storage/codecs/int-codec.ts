import { ChronosError } from '../../lib/index.js';
import type { ByteReader, ByteWriter } from '../bytes.js';
import { canonicalInt } from '../values.js';
import { BitReader, BitWriter, bitWidth } from './bit-io.js';
import { unzigzag, zigzag } from './zigzag.js';

/**
 * INT column values (non-null only), one of five encodings picked per block by size:
 *   u8 mode | payload
 *   DELTA_* : zigzag varint first value, then the zigzag deltas between neighbours;
 *   DOD_*   : zigzag varint first value, zigzag varint first delta, then zigzag deltas of deltas
 *             (regular timestamps give zeros);
 *   *_VARINT: the stream as varints;  *_PACKED: u8 bit width, then every item in that width;
 *   INT64   : 8-byte big-endian two's complement each (values beyond ±2^49, where deltas could
 *             lose bits in a double).
 */
const DELTA_VARINT = 1;
const DOD_VARINT = 2;
const DELTA_PACKED = 3;
const DOD_PACKED = 4;
const INT64 = 5;
/** Below this magnitude deltas of deltas stay below 2^52 after zigzag: exact in a double. */
const SMALL_LIMIT = 2 ** 49;

/** Decoded INT values: a Float64Array when every value is a safe number, else canonical ints. */
export type IntValues = Float64Array | (number | bigint)[];

function varintBytes(value: number): number {
  return Math.max(1, Math.ceil(bitWidth(value) / 7));
}

function isSmall(values: ArrayLike<number | bigint>): values is ArrayLike<number> {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value !== 'number' || !(Math.abs(value) < SMALL_LIMIT)) return false;
  }
  return true;
}

/** Sizes of one stream (deltas or deltas of deltas) as varints and bit-packed. */
class StreamSize {
  varints = 0;
  /** The largest item: the packed width is its bit width. */
  largest = 0;
  items = 0;

  add(item: number): void {
    // varintBytes by comparison: this runs for every value of every block written.
    this.varints += item < 0x80 ? 1 : item < 0x4000 ? 2 : item < 0x20_0000 ? 3 : varintBytes(item);
    if (item > this.largest) this.largest = item;
    this.items += 1;
  }

  packed(): number {
    return 1 + Math.ceil((bitWidth(this.largest) * this.items) / 8);
  }
}

/**
 * Append the INT values (no nulls) in the smallest of the encodings above. The four sizes are
 * counted in one pass without building the streams; the chosen one is written in a second
 * (ties go to the earlier of DELTA_VARINT, DELTA_PACKED, DOD_VARINT, DOD_PACKED).
 */
export function writeInts(writer: ByteWriter, values: ArrayLike<number | bigint>): void {
  if (!isSmall(values)) {
    writer.u8(INT64);
    for (let i = 0; i < values.length; i++) writer.i64be(BigInt(values[i] as number | bigint));
    return;
  }
  if (values.length === 0) {
    writer.u8(DELTA_VARINT);
    return;
  }
  if (values.length > 2 && writeArithmetic(writer, values)) return;
  const first = values[0] as number;
  const deltas = new StreamSize();
  const dods = new StreamSize();
  for (let i = 1; i < values.length; i++) {
    const delta = (values[i] as number) - (values[i - 1] as number);
    deltas.add(zigzag(delta));
    if (i >= 2) dods.add(zigzag(delta - ((values[i - 1] as number) - (values[i - 2] as number))));
  }
  const head1 = varintBytes(zigzag(first));
  const options: [number, number][] = [[DELTA_VARINT, head1 + deltas.varints], [DELTA_PACKED, head1 + deltas.packed()]];
  if (values.length > 1) {
    const head2 = head1 + varintBytes(zigzag((values[1] as number) - first));
    options.push([DOD_VARINT, head2 + dods.varints], [DOD_PACKED, head2 + dods.packed()]);
  }
  const [mode] = options.reduce((a, b) => (b[1] < a[1] ? b : a));
  writer.u8(mode);
  writeStream(writer, values, mode);
}

/**
 * Writes what writeInts would for values with one step between neighbours (hidden row ids,
 * a block's insert times), sized and written without a pass per value; false (nothing written)
 * when the values are not such, or when bit-packed deltas win (then the general path writes).
 */
function writeArithmetic(writer: ByteWriter, values: ArrayLike<number>): boolean {
  const first = values[0] as number;
  const step = (values[1] as number) - first;
  for (let i = 2; i < values.length; i++) if ((values[i] as number) - (values[i - 1] as number) !== step) return false;
  return writeStepped(writer, first, step, values.length);
}

/** writeArithmetic for first, first + step, ... (n > 2 values, all below SMALL_LIMIT). */
function writeStepped(writer: ByteWriter, first: number, step: number, n: number): boolean {
  const item = zigzag(step);
  const head1 = varintBytes(zigzag(first));
  const head2 = head1 + varintBytes(item);
  // As writeInts sizes them: deltas are n - 1 items of `item`, deltas of deltas n - 2 zeros.
  const options: [number, number][] = [[DELTA_VARINT, head1 + (n - 1) * varintBytes(item)],
    [DELTA_PACKED, head1 + 1 + Math.ceil((bitWidth(item) * (n - 1)) / 8)], [DOD_VARINT, head2 + (n - 2)], [DOD_PACKED, head2 + 1]];
  const [mode] = options.reduce((a, b) => (b[1] < a[1] ? b : a));
  if (mode === DELTA_PACKED && item !== 0) return false;
  writer.u8(mode).varint(zigzag(first));
  if (mode === DOD_VARINT || mode === DOD_PACKED) writer.varint(item);
  if (mode === DELTA_VARINT) for (let i = 1; i < n; i++) writer.varint(item);
  else if (mode === DOD_VARINT) for (let i = 2; i < n; i++) writer.u8(0);
  else writer.u8(0);
  return true;
}

/**
 * Appends `count` INT values first, first + step, ... exactly as writeInts would, without
 * building them when they can be written from their step (row ids, insert times of a block).
 */
export function writeIntSequence(writer: ByteWriter, first: number, step: number, count: number): void {
  const last = first + step * (count - 1);
  const small = Math.abs(first) < SMALL_LIMIT && Math.abs(last) < SMALL_LIMIT && Number.isSafeInteger(step);
  if (small && count > 2 && writeStepped(writer, first, step, count)) return;
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) values[i] = first + step * i;
  writeInts(writer, values);
}

/** The head and stream of `mode`, recomputed from the values. */
function writeStream(writer: ByteWriter, values: ArrayLike<number>, mode: number): void {
  const order = mode === DELTA_VARINT || mode === DELTA_PACKED ? 1 : 2;
  const first = values[0] as number;
  writer.varint(zigzag(first));
  if (order === 2) writer.varint(zigzag((values[1] as number) - first));
  const item = (i: number): number => {
    const delta = (values[i] as number) - (values[i - 1] as number);
    return zigzag(order === 1 ? delta : delta - ((values[i - 1] as number) - (values[i - 2] as number)));
  };
  const start = order === 1 ? 1 : 2;
  if (mode === DELTA_VARINT || mode === DOD_VARINT) {
    for (let i = start; i < values.length; i++) writer.varint(item(i));
    return;
  }
  let largest = 0;
  for (let i = start; i < values.length; i++) largest = Math.max(largest, item(i));
  const width = bitWidth(largest);
  const bits = new BitWriter(Math.ceil((width * Math.max(0, values.length - start)) / 8));
  // Zero-width items (a regular stream) write no bits.
  if (width > 0) for (let i = start; i < values.length; i++) bits.bits(item(i), width);
  writer.u8(width).bytes(bits.finish());
}

/** Read `count` INT values written by writeInts. */
export function readInts(reader: ByteReader, count: number): IntValues {
  const mode = reader.u8();
  if (mode === INT64) {
    const out: (number | bigint)[] = new Array<number | bigint>(count);
    for (let i = 0; i < count; i++) out[i] = canonicalInt(reader.i64be());
    return out;
  }
  if (mode < DELTA_VARINT || mode > DOD_PACKED) {
    throw new ChronosError('CORRUPTION', `unknown INT column encoding ${mode}`);
  }
  const out = new Float64Array(count);
  if (count === 0) return out;
  const order = mode === DOD_VARINT || mode === DOD_PACKED ? 2 : 1;
  out[0] = unzigzag(reader.varint());
  let delta = order === 2 && count > 1 ? unzigzag(reader.varint()) : 0;
  if (order === 2 && count > 1) out[1] = (out[0] as number) + delta;
  const start = order === 2 ? 2 : 1;
  const next = streamReader(reader, mode === DELTA_PACKED || mode === DOD_PACKED, count - start);
  for (let i = start; i < count; i++) {
    const item = unzigzag(next());
    if (order === 2) delta += item;
    out[i] = (out[i - 1] as number) + (order === 2 ? delta : item);
  }
  return out;
}

/** Next item of a varint or bit-packed stream of `length` items. */
function streamReader(reader: ByteReader, packed: boolean, length: number): () => number {
  if (!packed) return () => reader.varint();
  const width = reader.u8();
  if (width > 53) throw new ChronosError('CORRUPTION', `bit width ${width} in INT column`);
  const bits = new BitReader(reader.bytes(Math.ceil((width * Math.max(0, length)) / 8)));
  return () => bits.bits(width);
}
