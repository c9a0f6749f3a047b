import { describe, expect, it } from 'vitest';
import { ChronosError } from '../../src/lib/errors.js';
import { ByteReader, ByteWriter } from '../../src/storage/bytes.js';
import { readColumn, writeDenseColumn } from '../../src/storage/codecs/column-codec.js';
import { readSummary } from '../../src/storage/codecs/column-summary.js';
import { readChimpFloats, writeChimpFloats } from '../../src/storage/codecs/float-chimp-codec.js';
import { readXorFloats, writeXorFloats } from '../../src/storage/codecs/float-xor-codec.js';
import { drawSeries, exactBits, SPECIAL_BITS } from './float-series.js';

function chimpBytes(values: Float64Array): Uint8Array {
  const writer = new ByteWriter();
  writeChimpFloats(writer, values);
  return writer.finish();
}

function chimpRoundTrip(values: Float64Array): Float64Array {
  const reader = new ByteReader(chimpBytes(values), 'test');
  const out = readChimpFloats(reader, values.length);
  expect(reader.remaining).toBe(0);
  return out;
}

function fromBits(bits: readonly bigint[]): Float64Array {
  return new Float64Array(BigUint64Array.from(bits).buffer);
}

describe('FLOAT codec: Chimp', () => {
  it('round-trips every drawn kind of series bit for bit (property, 600 series)', () => {
    const kinds = new Set<string>();
    for (let seed = 1; seed <= 600; seed++) {
      const series = drawSeries(seed);
      kinds.add(series.kind);
      expect(exactBits(chimpRoundTrip(series.values)), `seed ${seed} (${series.kind})`).toEqual(exactBits(series.values));
    }
    expect(kinds.size).toBe(6);
  });
  it('round-trips NaN payloads, ±Infinity, -0 and subnormals, first or later in the block', () => {
    const values = fromBits([...SPECIAL_BITS, ...SPECIAL_BITS.slice().reverse(), ...SPECIAL_BITS]);
    expect(exactBits(chimpRoundTrip(values))).toEqual(exactBits(values));
    for (const first of SPECIAL_BITS) {
      const one = fromBits([first]);
      expect(exactBits(chimpRoundTrip(one))).toEqual([first]);
    }
  });
  it('round-trips none, and a repeated value in two bits a value', () => {
    expect(chimpRoundTrip(new Float64Array(0)).length).toBe(0);
    const same = new Float64Array(801).fill(21.37);
    expect(exactBits(chimpRoundTrip(same))).toEqual(exactBits(same));
    // 64 bits, then '00' per value, plus the varint length.
    expect(chimpBytes(same).length).toBeLessThanOrEqual(2 + 8 + 200);
  });
  it('a XOR of zero after a non-zero one, then a value on the level before it, reads back', () => {
    // '11' records a level, '00' must forget it: the next value may not be a '10'.
    const values = fromBits([0x4000000000000000n, 0x4000000000000003n, 0x4000000000000003n, 0x4000000000000001n]);
    expect(exactBits(chimpRoundTrip(values))).toEqual(exactBits(values));
  });
  it('is smaller than XOR on computed doubles and on random walks', () => {
    const values = Float64Array.from({ length: 1024 }, (_, i) => 20 + Math.sin(i / 50) * 3 + i / 7);
    const xor = new ByteWriter();
    writeXorFloats(xor, values);
    expect(exactBits(readXorFloats(new ByteReader(xor.finish(), 'test'), values.length))).toEqual(exactBits(values));
    expect(chimpBytes(values).length).toBeLessThan(xor.length);
  });
  it('refuses a stream that refers to a level it never recorded, or ends early, as CORRUPTION', () => {
    // 64 raw bits of 1.0, then '10' before any '11'.
    const noLevel = Uint8Array.of(9, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0b1000_0000);
    expect(() => readChimpFloats(new ByteReader(noLevel, 'test'), 2)).toThrow(ChronosError);
    const bytes = chimpBytes(Float64Array.of(1.5, 2.25, 3.125));
    const truncated = Uint8Array.of(bytes.length - 2, ...bytes.subarray(1, bytes.length - 1));
    expect(() => readChimpFloats(new ByteReader(truncated, 'test'), 3)).toThrow(/truncated|CORRUPTION/);
  });
});

describe('column codec: which FLOAT encoding a block gets', () => {
  const encodingOf = (values: Float64Array, floats: 'xor' | 'chimp'): number => {
    const writer = new ByteWriter();
    writeDenseColumn(writer, 'FLOAT', values, floats);
    const bytes = writer.finish();
    const decoded = readColumn(new ByteReader(bytes, 'test'), 'FLOAT', values.length);
    expect(exactBits(Float64Array.from(decoded.values as Float64Array))).toEqual(exactBits(values));
    return encodingByte(bytes);
  };
  it('keeps decimals scaled, and writes Chimp (7) instead of XOR (2) only when asked', () => {
    const decimals = Float64Array.of(21.5, 21.25, 21.75);
    const computed = Float64Array.of(0.1 + 0.2, Math.PI, Math.E);
    expect(encodingOf(decimals, 'xor')).toBe(3);
    expect(encodingOf(decimals, 'chimp')).toBe(3);
    expect(encodingOf(computed, 'xor')).toBe(2);
    expect(encodingOf(computed, 'chimp')).toBe(7);
  });
});

/** The u8 encoding of a dense FLOAT column section: has-nulls 0 | summary | encoding | values. */
function encodingByte(section: Uint8Array): number {
  const reader = new ByteReader(section, 'test');
  expect(reader.u8()).toBe(0);
  readSummary(reader, 'FLOAT');
  return reader.u8();
}
