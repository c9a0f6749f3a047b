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

function zigzagDiffs(values: readonly number[]): number[] {
  const out = new Array<number>(Math.max(0, values.length - 1));
  for (let i = 1; i < values.length; i++) out[i - 1] = (values[i] as number) - (values[i - 1] as number);
  return out;
}

interface Candidate {
  readonly mode: number;
  readonly head: readonly number[];
  readonly stream: readonly number[];
  readonly bytes: number;
}

function candidates(head: readonly number[], diffs: readonly number[], order: 1 | 2): Candidate[] {
  const stream = diffs.map(zigzag);
  let varintTotal = 0;
  let width = 0;
  for (const item of stream) {
    varintTotal += varintBytes(item);
    width = Math.max(width, bitWidth(item));
  }
  const headBytes = head.reduce((sum, value) => sum + varintBytes(zigzag(value)), 0);
  const packed = 1 + Math.ceil((width * stream.length) / 8);
  return [
    { mode: order === 1 ? DELTA_VARINT : DOD_VARINT, head, stream, bytes: headBytes + varintTotal },
    { mode: order === 1 ? DELTA_PACKED : DOD_PACKED, head, stream, bytes: headBytes + packed },
  ];
}

function isSmall(values: readonly (number | bigint)[]): values is readonly number[] {
  return values.every((value) => typeof value === 'number' && Math.abs(value) < SMALL_LIMIT);
}

/** Append the INT values (no nulls) in the smallest of the encodings above. */
export function writeInts(writer: ByteWriter, values: readonly (number | bigint)[]): void {
  if (!isSmall(values)) {
    writer.u8(INT64);
    for (const value of values) writer.i64be(BigInt(value));
    return;
  }
  if (values.length === 0) {
    writer.u8(DELTA_VARINT);
    return;
  }
  const deltas = zigzagDiffs(values);
  const first = values[0] as number;
  const options = candidates([first], deltas, 1);
  if (deltas.length > 0) options.push(...candidates([first, deltas[0] as number], zigzagDiffs(deltas), 2));
  const best = options.reduce((a, b) => (b.bytes < a.bytes ? b : a));
  writer.u8(best.mode);
  for (const value of best.head) writer.varint(zigzag(value));
  if (best.mode === DELTA_VARINT || best.mode === DOD_VARINT) {
    for (const item of best.stream) writer.varint(item);
    return;
  }
  const width = best.stream.reduce((max, item) => Math.max(max, bitWidth(item)), 0);
  const bits = new BitWriter(Math.ceil((width * best.stream.length) / 8));
  for (const item of best.stream) bits.bits(item, width);
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
