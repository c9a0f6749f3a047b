import { ChronosError } from '../../lib/index.js';
import type { ByteReader, ByteWriter } from '../bytes.js';
import { readInts, writeInts } from './int-codec.js';

/**
 * FLOAT values that all have at most k decimals (k <= 6), stored as the integers value·10^k
 * through the INT codec: u8 k | INT column. Sensor readings like 21.37 become 2137, and their
 * small deltas pack into a byte or less. Used only when `scaled / 10^k` gives back every value
 * bit for bit (so -0, NaN, ±Infinity and values like 0.1+0.2 never take this path).
 */
export const MAX_DECIMALS = 6;
const SCALED_LIMIT = 2 ** 49;
const POWERS = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000];

function scaledExactly(value: number, power: number): number | undefined {
  if (!Number.isFinite(value) || Object.is(value, -0)) return undefined;
  const scaled = Math.round(value * power);
  if (Math.abs(scaled) >= SCALED_LIMIT || scaled / power !== value) return undefined;
  return scaled;
}

/** The integers value·10^k for the smallest k that is exact for every value, if any. */
export function decimalScaling(
  values: ArrayLike<number>,
): { readonly decimals: number; readonly scaled: Float64Array } | undefined {
  // One array for every attempt: a block's values usually need two or three.
  const scaled = new Float64Array(values.length);
  for (let decimals = 0; decimals <= MAX_DECIMALS; decimals++) {
    const power = POWERS[decimals] as number;
    let exact = true;
    for (let i = 0; i < values.length && exact; i++) {
      const value = scaledExactly(values[i] as number, power);
      if (value === undefined) exact = false;
      else scaled[i] = value;
    }
    if (exact) return { decimals, scaled };
  }
  return undefined;
}

/** Append values already scaled by decimalScaling. */
export function writeDecimalFloats(
  writer: ByteWriter,
  scaling: { readonly decimals: number; readonly scaled: ArrayLike<number> },
): void {
  writer.u8(scaling.decimals);
  writeInts(writer, scaling.scaled);
}

/** Read `count` FLOAT values written by writeDecimalFloats. */
export function readDecimalFloats(reader: ByteReader, count: number): Float64Array {
  const decimals = reader.u8();
  const power = POWERS[decimals];
  if (power === undefined) throw new ChronosError('CORRUPTION', `decimal scale ${decimals}`);
  const scaled = readInts(reader, count);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = Number(scaled[i]) / power;
  return out;
}
