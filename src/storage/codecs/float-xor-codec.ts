import type { ByteReader, ByteWriter } from '../bytes.js';
import { BitReader, BitWriter } from './bit-io.js';
import type { Bits64 } from './float-bits.js';
import {
  bitsToFloat,
  floatToBits,
  leadingZeros,
  readLowBits,
  writeLowBits,
  shiftLeft,
  shiftRight,
  trailingZeros,
} from './float-bits.js';

/**
 * FLOAT values by XOR with the previous value (the scheme of Facebook's Gorilla paper), as
 * varint byte length | bit stream. The first value is 64 raw bits; each next one is
 *   '0'                        same bits as the previous value,
 *   '10' + meaningful bits     the XOR fits the previous leading/trailing-zero window,
 *   '11' + 5 bits leading zeros + 6 bits (length - 1) + meaningful bits  otherwise.
 * Bit-exact for every float64, including -0, ±Infinity and NaN (its payload as read from V8).
 */
const MAX_LEADING = 31;

/** Append the FLOAT values (no nulls) XOR-encoded. */
export function writeXorFloats(writer: ByteWriter, values: ArrayLike<number>): void {
  const bits = new BitWriter(values.length * 2 + 8);
  const current: Bits64 = { hi: 0, lo: 0 };
  const shifted: Bits64 = { hi: 0, lo: 0 };
  let previousHi = 0;
  let previousLo = 0;
  let windowLeading = -1;
  let windowTrailing = 0;
  for (let i = 0; i < values.length; i++) {
    floatToBits(values[i] as number, current);
    if (i === 0) {
      bits.bits32(current.hi, 32).bits32(current.lo, 32);
    } else {
      const xorHi = (current.hi ^ previousHi) >>> 0;
      const xorLo = (current.lo ^ previousLo) >>> 0;
      if (xorHi === 0 && xorLo === 0) {
        bits.bits32(0, 1);
      } else {
        const leading = Math.min(MAX_LEADING, leadingZeros(xorHi, xorLo));
        const trailing = trailingZeros(xorHi, xorLo);
        if (windowLeading >= 0 && leading >= windowLeading && trailing >= windowTrailing) {
          bits.bits32(0b10, 2);
        } else {
          windowLeading = leading;
          windowTrailing = trailing;
          const length = 64 - leading - trailing;
          bits.bits32(0b11, 2).bits32(leading, 5).bits32(length - 1, 6);
        }
        shiftRight(xorHi, xorLo, windowTrailing, shifted);
        writeLowBits(bits, shifted, 64 - windowLeading - windowTrailing);
      }
    }
    previousHi = current.hi;
    previousLo = current.lo;
  }
  const bytes = bits.finish();
  writer.varint(bytes.length).bytes(bytes);
}

/** Read `count` FLOAT values written by writeXorFloats. */
export function readXorFloats(reader: ByteReader, count: number): Float64Array {
  const out = new Float64Array(count);
  const bits = new BitReader(reader.bytes(reader.varint()));
  const word: Bits64 = { hi: 0, lo: 0 };
  let hi = 0;
  let lo = 0;
  let windowLeading = 0;
  let windowTrailing = 0;
  for (let i = 0; i < count; i++) {
    if (i === 0) {
      hi = bits.bits32(32);
      lo = bits.bits32(32);
    } else if (bits.bit()) {
      if (bits.bit()) {
        windowLeading = bits.bits32(5);
        windowTrailing = 64 - windowLeading - (bits.bits32(6) + 1);
      }
      readLowBits(bits, 64 - windowLeading - windowTrailing, word);
      shiftLeft(word.hi, word.lo, windowTrailing, word);
      hi = (hi ^ word.hi) >>> 0;
      lo = (lo ^ word.lo) >>> 0;
    }
    out[i] = bitsToFloat(hi, lo);
  }
  return out;
}
