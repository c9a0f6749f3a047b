import type { BitReader, BitWriter } from './bit-io.js';

/** A float64 as its two 32-bit halves (high word has the sign and exponent). */
export interface Bits64 {
  hi: number;
  lo: number;
}

const view = new DataView(new ArrayBuffer(8));

/** The IEEE-754 bits of `value` (NaN keeps whatever payload the engine gives it). */
export function floatToBits(value: number, out: Bits64): void {
  view.setFloat64(0, value);
  out.hi = view.getUint32(0);
  out.lo = view.getUint32(4);
}

/** The float64 with these bits. */
export function bitsToFloat(hi: number, lo: number): number {
  view.setUint32(0, hi);
  view.setUint32(4, lo);
  return view.getFloat64(0);
}

function ctz32(value: number): number {
  return value === 0 ? 32 : 31 - Math.clz32(value & -value);
}

/** Leading zero bits of a 64-bit word. */
export function leadingZeros(hi: number, lo: number): number {
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
}

/** Trailing zero bits of a 64-bit word. */
export function trailingZeros(hi: number, lo: number): number {
  return lo !== 0 ? ctz32(lo) : 32 + ctz32(hi);
}

/** The 64-bit word shifted right by 0..63 bits. */
export function shiftRight(hi: number, lo: number, count: number, out: Bits64): void {
  if (count === 0) {
    out.hi = hi;
    out.lo = lo;
  } else if (count >= 32) {
    out.lo = hi >>> (count - 32);
    out.hi = 0;
  } else {
    out.lo = ((lo >>> count) | (hi << (32 - count))) >>> 0;
    out.hi = hi >>> count;
  }
}

/** The 64-bit word shifted left by 0..63 bits. */
export function shiftLeft(hi: number, lo: number, count: number, out: Bits64): void {
  if (count === 0) {
    out.hi = hi;
    out.lo = lo;
  } else if (count >= 32) {
    out.hi = (lo << (count - 32)) >>> 0;
    out.lo = 0;
  } else {
    out.hi = ((hi << count) | (lo >>> (32 - count))) >>> 0;
    out.lo = (lo << count) >>> 0;
  }
}

/** Write the low `length` (1..64) bits of the word. */
export function writeLowBits(bits: BitWriter, word: Bits64, length: number): void {
  if (length > 32) bits.bits32(word.hi, length - 32).bits32(word.lo, 32);
  else bits.bits32(word.lo, length);
}

/** Read a `length` (1..64)-bit word into `out`. */
export function readLowBits(bits: BitReader, length: number, out: Bits64): void {
  out.hi = length > 32 ? bits.bits32(length - 32) : 0;
  out.lo = bits.bits32(Math.min(32, length));
}
