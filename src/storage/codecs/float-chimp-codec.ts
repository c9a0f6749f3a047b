import { assert, ChronosError } from '../../lib/index.js';
import type { ByteReader, ByteWriter } from '../bytes.js';
import { BitReader, BitWriter } from './bit-io.js';
import type { Bits64 } from './float-bits.js';
import {
  bitsToFloat, floatToBits, leadingZeros, readLowBits, shiftLeft, shiftRight, trailingZeros, writeLowBits,
} from './float-bits.js';

/**
 * FLOAT values by the Chimp scheme (Liakos et al., VLDB 2022), as varint byte length | bit
 * stream. The first value is 64 raw bits; each next one is XORed with the previous value and
 * written as a 2-bit flag and its payload:
 *   '00'                                      same bits as the previous value,
 *   '01' + 3-bit level + 6-bit length + bits  the XOR ends in more than 6 zeros: only its
 *                                             centre (from the level to the last one) is kept,
 *   '10' + bits                               the XOR's leading zeros round to the level the
 *                                             previous '11' recorded: its low 64 - level bits,
 *   '11' + 3-bit level + bits                 otherwise: a new level, then the low 64 - level bits.
 * Leading zeros are rounded down to one of 8 levels (LEVELS), so a level fits 3 bits. Unlike
 * XOR (float-xor-codec.ts), Chimp does not keep a trailing-zero window: series whose XORs
 * seldom end in zeros (most real doubles) pay 2 + 64 - level bits instead of a window reset.
 * '00' and '01' forget the recorded level, so '10' always refers to the latest '11'.
 * Bit-exact for every float64, including -0, ±Infinity, subnormals and NaN payloads.
 */
const LEVELS: readonly number[] = [0, 8, 12, 16, 18, 20, 22, 24];
/** A XOR with more trailing zeros than this stores only its centre bits ('01'). */
const TRAILING_THRESHOLD = 6;
/** No level recorded: the next non-identical value cannot be a '10'. */
const NO_LEVEL = -1;

const FLAG_SAME = 0b00;
const FLAG_CENTRE = 0b01;
const FLAG_SAME_LEVEL = 0b10;
const FLAG_NEW_LEVEL = 0b11;

/** LEVEL_CODE[n]: the 3-bit code of the greatest level <= n, for n = 0..64 leading zeros. */
const LEVEL_CODE: Uint8Array = (() => {
  const codes = new Uint8Array(65);
  for (let n = 0; n <= 64; n++) {
    let code = 0;
    while (code + 1 < LEVELS.length && (LEVELS[code + 1] as number) <= n) code++;
    codes[n] = code;
  }
  return codes;
})();

/** Writes one non-zero XOR; returns the level ('11') the next value may refer to, or NO_LEVEL. */
function writeXor(bits: BitWriter, xor: Bits64, storedLevel: number, scratch: Bits64): number {
  const code = LEVEL_CODE[leadingZeros(xor.hi, xor.lo)] as number;
  const level = LEVELS[code] as number;
  const trailing = trailingZeros(xor.hi, xor.lo);
  if (trailing > TRAILING_THRESHOLD) {
    const centre = 64 - level - trailing;
    // The XOR is non-zero and level <= its leading zeros, so the centre holds its top one bit.
    assert(centre >= 1 && centre <= 64 - TRAILING_THRESHOLD - 1, 'chimp centre length fits 6 bits');
    bits.bits32(FLAG_CENTRE, 2).bits32(code, 3).bits32(centre, 6);
    shiftRight(xor.hi, xor.lo, trailing, scratch);
    writeLowBits(bits, scratch, centre);
    return NO_LEVEL;
  }
  if (level === storedLevel) bits.bits32(FLAG_SAME_LEVEL, 2);
  else bits.bits32(FLAG_NEW_LEVEL, 2).bits32(code, 3);
  writeLowBits(bits, xor, 64 - level);
  return level;
}

/** Append the FLOAT values (no nulls) Chimp-encoded. */
export function writeChimpFloats(writer: ByteWriter, values: ArrayLike<number>): void {
  const bits = new BitWriter(values.length * 4 + 8);
  const current: Bits64 = { hi: 0, lo: 0 };
  const xor: Bits64 = { hi: 0, lo: 0 };
  const scratch: Bits64 = { hi: 0, lo: 0 };
  let previousHi = 0;
  let previousLo = 0;
  let storedLevel = NO_LEVEL;
  for (let i = 0; i < values.length; i++) {
    floatToBits(values[i] as number, current);
    if (i === 0) {
      bits.bits32(current.hi, 32).bits32(current.lo, 32);
    } else {
      xor.hi = (current.hi ^ previousHi) >>> 0;
      xor.lo = (current.lo ^ previousLo) >>> 0;
      if (xor.hi === 0 && xor.lo === 0) {
        bits.bits32(FLAG_SAME, 2);
        storedLevel = NO_LEVEL;
      } else {
        storedLevel = writeXor(bits, xor, storedLevel, scratch);
      }
    }
    previousHi = current.hi;
    previousLo = current.lo;
  }
  const bytes = bits.finish();
  writer.varint(bytes.length).bytes(bytes);
}

/** Reads one XOR after its flag into `out`; returns the level the next '10' refers to. */
function readXor(bits: BitReader, flag: number, storedLevel: number, out: Bits64): number {
  if (flag === FLAG_CENTRE) {
    const level = LEVELS[bits.bits32(3)] as number;
    const centre = bits.bits32(6);
    if (centre === 0 || level + centre > 64 - TRAILING_THRESHOLD - 1) {
      throw new ChronosError('CORRUPTION', `chimp centre of ${centre} bits after ${level} leading zeros`);
    }
    readLowBits(bits, centre, out);
    shiftLeft(out.hi, out.lo, 64 - level - centre, out);
    return NO_LEVEL;
  }
  let level = storedLevel;
  if (flag === FLAG_NEW_LEVEL) level = LEVELS[bits.bits32(3)] as number;
  else if (level === NO_LEVEL) throw new ChronosError('CORRUPTION', 'chimp value refers to no leading-zero level');
  readLowBits(bits, 64 - level, out);
  return level;
}

/** Read `count` FLOAT values written by writeChimpFloats. */
export function readChimpFloats(reader: ByteReader, count: number): Float64Array {
  const out = new Float64Array(count);
  const bits = new BitReader(reader.bytes(reader.varint()));
  const xor: Bits64 = { hi: 0, lo: 0 };
  let hi = 0;
  let lo = 0;
  let storedLevel = NO_LEVEL;
  for (let i = 0; i < count; i++) {
    if (i === 0) {
      hi = bits.bits32(32);
      lo = bits.bits32(32);
    } else {
      const flag = bits.bits32(2);
      if (flag === FLAG_SAME) {
        storedLevel = NO_LEVEL;
      } else {
        storedLevel = readXor(bits, flag, storedLevel, xor);
        hi = (hi ^ xor.hi) >>> 0;
        lo = (lo ^ xor.lo) >>> 0;
      }
    }
    out[i] = bitsToFloat(hi, lo);
  }
  return out;
}
