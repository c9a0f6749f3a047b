import { Random } from '../../src/lib/random.js';

/**
 * Double sequences that FLOAT codecs must round-trip bit for bit. Built as raw 64-bit patterns
 * in a BigUint64Array whose Float64Array view is handed to the codec, so NaN payloads are the
 * exact ones drawn (a plain JS array may canonicalize them).
 */
export interface DrawnSeries {
  readonly kind: string;
  readonly values: Float64Array;
}

const MASK64 = (1n << 64n) - 1n;

/** Values whose bits are interesting on their own (NaN payloads, subnormals, signed zeros...). */
export const SPECIAL_BITS: readonly bigint[] = [
  0x0000000000000000n, // +0
  0x8000000000000000n, // -0
  0x7ff8000000000000n, // the NaN V8 produces
  0xfff8000000000000n, // negative quiet NaN
  0x7ff0000000000001n, // signalling NaN, smallest payload
  0x7fffffffffffffffn, // NaN, every payload bit
  0x7ff4000000000abcn, // NaN with an odd payload
  0x7ff0000000000000n, // +Infinity
  0xfff0000000000000n, // -Infinity
  0x0000000000000001n, // smallest subnormal
  0x800fffffffffffffn, // largest negative subnormal
  0x0010000000000000n, // smallest normal
  0x7fefffffffffffffn, // MAX_VALUE
  0x3ff0000000000000n, // 1
  0xbff8000000000000n, // -1.5
];

/**
 * XOR masks that break naive Chimp/Gorilla code: leading zeros on and around the rounding
 * levels (0, 8, 12, ... 24) and past 32, trailing zeros on both sides of the threshold (6/7),
 * masks of one bit at either end, and all 64 bits.
 */
const LEADING = [0, 1, 7, 8, 11, 12, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 31, 32, 33, 40, 52, 57, 63];
const TRAILING = [0, 1, 5, 6, 7, 8, 31, 32, 33, 40, 56, 57, 63];

function randomBits(random: Random): bigint {
  return (BigInt(random.nextU32()) << 32n) | BigInt(random.nextU32());
}

function bitsOfFloat(value: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  return view.getBigUint64(0);
}

/** A non-zero mask with exactly `leading` leading and `trailing` trailing zeros (if they fit). */
function maskWith(random: Random, leading: number, trailing: number): bigint {
  const width = Math.max(1, 64 - leading - trailing);
  const low = 64 - leading - width;
  const inner = width <= 2 ? 0n : randomBits(random) & ((1n << BigInt(width - 2)) - 1n);
  const top = 1n << BigInt(width - 1);
  return ((top | (inner << 1n) | 1n) << BigInt(low)) & MASK64;
}

function sensor(random: Random, length: number): bigint[] {
  const base = random.between(-50, 150) + random.nextU32() / 2 ** 32;
  const noise = random.pick([0, 1e-9, 1e-3, 0.5]);
  return Array.from({ length }, (_, i) => bitsOfFloat(base + 10 * Math.sin(i / 40) + noise * (random.nextU32() / 2 ** 32 - 0.5)));
}

function runs(random: Random, length: number): bigint[] {
  const out: bigint[] = [];
  while (out.length < length) {
    const value = random.chance(0.3) ? random.pick(SPECIAL_BITS) : bitsOfFloat(random.between(-1000, 1000) / 8);
    for (let k = 1 + random.int(20); k > 0 && out.length < length; k--) out.push(value);
  }
  return out;
}

/** Each value is the previous one XOR an adversarial mask, now and then the same value again. */
function crafted(random: Random, length: number): bigint[] {
  let current = random.chance(0.5) ? random.pick(SPECIAL_BITS) : randomBits(random);
  const out = [current];
  while (out.length < length) {
    if (random.chance(0.15)) {
      out.push(current);
      continue;
    }
    current ^= maskWith(random, random.pick(LEADING), random.pick(TRAILING));
    out.push(current);
  }
  return out;
}

function mixed(random: Random, length: number): bigint[] {
  return Array.from({ length }, () => {
    if (random.chance(0.3)) return random.pick(SPECIAL_BITS);
    if (random.chance(0.5)) return randomBits(random);
    return bitsOfFloat(random.between(-1e6, 1e6) / 7);
  });
}

const KINDS: Readonly<Record<string, (random: Random, length: number) => bigint[]>> = {
  sensor, runs, crafted, mixed,
  randomBits: (random, length) => Array.from({ length }, () => randomBits(random)),
  specials: (random, length) => Array.from({ length }, () => random.pick(SPECIAL_BITS)),
};

function lengthOf(random: Random): number {
  const roll = random.int(10);
  if (roll === 0) return random.int(2); // none or a single value
  if (roll === 1) return 1024 + random.int(4096); // long blocks
  return 2 + random.int(200);
}

/** The series `seed` draws: a kind, a length, and the values as exact bits. */
export function drawSeries(seed: number): DrawnSeries {
  const random = new Random(seed);
  const kind = random.pick(Object.keys(KINDS));
  const bits = (KINDS[kind] as (random: Random, length: number) => bigint[])(random, lengthOf(random));
  const raw = BigUint64Array.from(bits);
  return { kind, values: new Float64Array(raw.buffer) };
}

/** The exact bits of each value, for comparisons that NaN payloads and -0 cannot fool. */
export function exactBits(values: Float64Array): bigint[] {
  return Array.from(new BigUint64Array(values.buffer, values.byteOffset, values.length));
}
