import { describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/random.js';
import { ByteReader, ByteWriter } from '../../src/storage/bytes.js';
import { columnRowValues, readColumn, writeColumn } from '../../src/storage/codecs/column-codec.js';
import {
  decimalScaling,
  readDecimalFloats,
  writeDecimalFloats,
} from '../../src/storage/codecs/float-decimal-codec.js';
import { readXorFloats, writeXorFloats } from '../../src/storage/codecs/float-xor-codec.js';
import { readInts, writeIntSequence, writeInts } from '../../src/storage/codecs/int-codec.js';
import { readDictStrings, writeDictStrings } from '../../src/storage/codecs/string-dict-codec.js';
import { INT64_MAX, INT64_MIN, canonicalInt } from '../../src/storage/values.js';
import type { SqlType, SqlValue } from '../../src/storage/values.js';

/** The float64 bits of each value, as hex: equal bits, not just equal numbers. */
function bitsOf(values: ArrayLike<number>): string[] {
  const view = new DataView(new ArrayBuffer(8));
  return Array.from(values, (value) => {
    view.setFloat64(0, value);
    return view.getBigUint64(0).toString(16);
  });
}

function roundTrip<T>(write: (w: ByteWriter) => void, read: (r: ByteReader) => T): [T, number] {
  const writer = new ByteWriter();
  write(writer);
  const bytes = writer.finish();
  const reader = new ByteReader(bytes, 'test');
  const out = read(reader);
  expect(reader.remaining).toBe(0);
  return [out, bytes.length];
}

function ints(values: readonly (number | bigint)[]): [(number | bigint)[], number] {
  const [out, size] = roundTrip(
    (w) => writeInts(w, values),
    (r) => readInts(r, values.length),
  );
  return [Array.from(out), size];
}

function floats(values: readonly number[]): [Float64Array, number] {
  return roundTrip(
    (w) => writeXorFloats(w, values),
    (r) => readXorFloats(r, values.length),
  );
}

const SPECIAL_FLOATS = [
  0, -0, NaN, Infinity, -Infinity, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MIN_VALUE,
  2 ** 53 + 2, 0.1 + 0.2, 1, 1, 1, -1.5,
];

describe('INT codec (delta / delta-of-delta, varint or bit-packed)', () => {
  it.each([
    ['empty', []],
    ['one value', [42]],
    ['two values', [-7, 7]],
    ['2^53+1 as bigint, INT64 min/max', [2n ** 53n + 1n, INT64_MIN, INT64_MAX, 0, -1]],
    ['safe extremes', [Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 0]],
    ['just below and above the small limit', [2 ** 49 - 1, -(2 ** 49 - 1), 2 ** 49]],
  ] as const)('round-trips %s bit-exact', (_name, values) => {
    expect(ints(values)[0]).toEqual(values);
  });
  it('stores regular timestamps in a few bytes (delta of delta is zero)', () => {
    const times = Array.from({ length: 1000 }, (_, i) => 1_733_856_000_000 + i * 10_000);
    const [out, size] = ints(times);
    expect(out).toEqual(times);
    expect(size).toBeLessThanOrEqual(12);
  });
  it('keeps outliers exact with varints when bit-packing would be wide', () => {
    const values = Array.from({ length: 200 }, (_, i) => (i === 100 ? 2 ** 45 : i % 3));
    const [out, size] = ints(values);
    expect(out).toEqual(values);
    expect(size).toBeLessThan(200 * 2);
  });
  it('writes values with one step (row ids, insert times) in a few bytes and reads them back', () => {
    const random = new Random(1024);
    for (let round = 0; round < 300; round++) {
      const length = 3 + random.int(random.chance(0.5) ? 10 : 1100);
      const step = random.pick([0, 1, -1, 3, 1000, -(2 ** 30), 2 ** 40]);
      const first = random.pick([0, 1, -5, 2 ** 45, -(2 ** 45), 1_733_856_000_000]);
      const values = Array.from({ length }, (_, i) => first + i * step);
      if (random.chance(0.2)) { const at = random.int(length); values[at] = (values[at] as number) + 1; }
      const [out, size] = ints(values);
      expect(out, `${first} + i * ${step}, ${length} values`).toEqual(values);
      const small = values.every((v) => Math.abs(v) < 2 ** 49);
      if (small && values.every((v, i) => i === 0 || v - (values[i - 1] as number) === step)) expect(size).toBeLessThanOrEqual(20);
    }
  });
  it('writes a sequence from its first value and step in the same bytes as its values', () => {
    const random = new Random(2048);
    for (let round = 0; round < 600; round++) {
      const count = 1 + random.int(random.chance(0.5) ? 6 : 1100);
      const step = random.pick([0, 1, -1, 7, 2 ** 20, -(2 ** 30), 2 ** 40, 2 ** 46]);
      const first = random.pick([0, 1, -5, 2 ** 45, -(2 ** 45), 2 ** 49 - 3, 1_733_856_000_000]);
      const values = Float64Array.from({ length: count }, (_, i) => first + i * step);
      const byValues = new ByteWriter();
      writeInts(byValues, values);
      const bySequence = new ByteWriter();
      writeIntSequence(bySequence, first, step, count);
      expect(bySequence.finish(), `${first} + i * ${step}, ${count} values`).toEqual(byValues.finish());
    }
  });
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('seed %i: random INT columns round-trip', (seed) => {
    const random = new Random(seed * 104_729);
    for (let round = 0; round < 40; round++) {
      const scale = random.pick([1, 100, 2 ** 20, 2 ** 40, 2 ** 52]);
      const start = random.between(-1000, 1000) * scale;
      const values: (number | bigint)[] = [];
      let current = start;
      for (let i = random.int(50); i > 0; i--) {
        current += random.between(-scale, scale);
        if (random.chance(0.05)) values.push(canonicalInt(BigInt(random.nextU32()) * 2n ** 32n - 2n ** 63n));
        else values.push(Number.isSafeInteger(current) ? current : 0);
      }
      expect(ints(values)[0]).toEqual(values);
    }
  });
});

describe('FLOAT codec: XOR (Gorilla)', () => {
  it('round-trips NaN, ±Infinity, -0, subnormals and extremes bit for bit', () => {
    const [out] = floats(SPECIAL_FLOATS);
    expect(bitsOf(out)).toEqual(bitsOf(SPECIAL_FLOATS));
    expect(Object.is(out[1], -0)).toBe(true);
  });
  it('round-trips one value and none', () => {
    expect(bitsOf(floats([3.25])[0])).toEqual(bitsOf([3.25]));
    expect(floats([])[0].length).toBe(0);
  });
  it('stores a repeated value in about one bit', () => {
    const values = Array.from({ length: 800 }, () => 21.5);
    expect(floats(values)[1]).toBeLessThanOrEqual(8 + 2 + 100);
  });
  it.each([1, 2, 3, 4, 5, 6])('seed %i: random bit patterns and walks round-trip', (seed) => {
    const random = new Random(seed * 7_919);
    const view = new DataView(new ArrayBuffer(8));
    for (let round = 0; round < 30; round++) {
      const values: number[] = [];
      let walk = random.between(-1e6, 1e6) / 7;
      for (let i = random.int(80); i > 0; i--) {
        view.setUint32(0, random.nextU32());
        view.setUint32(4, random.nextU32());
        if (random.chance(0.2)) values.push(view.getFloat64(0));
        else if (random.chance(0.1)) values.push(random.pick(SPECIAL_FLOATS));
        else values.push((walk += random.between(-100, 100) / 64));
      }
      expect(bitsOf(floats(values)[0])).toEqual(bitsOf(values));
    }
  });
});

describe('FLOAT codec: decimal-scaled integers', () => {
  it('picks the fewest decimals that reproduce every value exactly', () => {
    expect(decimalScaling([21.37, 20.1, 19])?.decimals).toBe(2);
    expect(decimalScaling([1, 2, 3])?.decimals).toBe(0);
    expect(decimalScaling([0.000001])?.decimals).toBe(6);
  });
  it.each([
    ['-0', [1.5, -0]],
    ['NaN', [1.5, NaN]],
    ['Infinity', [Infinity]],
    ['0.1 + 0.2 (not exactly one decimal)', [0.1 + 0.2]],
    ['seven decimals', [0.0000001]],
    ['beyond 2^49 once scaled', [2 ** 50]],
  ])('falls back to XOR for %s', (_name, values) => {
    expect(decimalScaling(values)).toBeUndefined();
  });
  it('round-trips sensor readings bit-exact in about a byte each', () => {
    const random = new Random(20241210);
    const values = Array.from(
      { length: 1000 },
      (_, i) => Math.round((20 + 5 * Math.sin(i / 50) + (random.int(1000) / 1000 - 0.5) * 0.5) * 100) / 100,
    );
    const scaling = decimalScaling(values);
    expect(scaling?.decimals).toBe(2);
    const [out, size] = roundTrip(
      (w) => writeDecimalFloats(w, scaling as NonNullable<typeof scaling>),
      (r) => readDecimalFloats(r, values.length),
    );
    expect(bitsOf(out)).toEqual(bitsOf(values));
    expect(size).toBeLessThanOrEqual(values.length * 1.1);
  });
});

describe('STRING codec: per-block dictionary', () => {
  it('round-trips empty, unicode, NUL and repeated strings', () => {
    const values = ['', 'esp-001', 'esp-001', '😀é\u0000x', '', 'esp-002', 'esp-001'];
    const [out] = roundTrip(
      (w) => writeDictStrings(w, values),
      (r) => readDictStrings(r, values.length),
    );
    expect(out).toEqual(values);
  });
  it('stores one distinct value once and zero bits per row', () => {
    const values = Array.from({ length: 1000 }, () => 'esp-042');
    const [, size] = roundTrip(
      (w) => writeDictStrings(w, values),
      (r) => readDictStrings(r, values.length),
    );
    expect(size).toBeLessThanOrEqual(12);
  });
});

describe.each(['xor', 'chimp'] as const)('column codec (FLOAT by %s): null bitmap and every type', (floats) => {
  const cases: [SqlType, SqlValue[]][] = [
    ['INT', [1, null, 2n ** 53n + 1n, INT64_MIN, null]],
    ['FLOAT', [null, -0, NaN, Infinity, 21.37, null]],
    ['STRING', ['', null, 'a', null, '']],
    ['BOOLEAN', [true, null, false, false, null, true, true, true, false]],
  ];
  it.each(cases)('%s: NULL in every position round-trips', (type, base) => {
    for (let position = 0; position <= base.length; position++) {
      const values = [...base.slice(0, position), null, ...base.slice(position)];
      const [column] = roundTrip(
        (w) => writeColumn(w, type, values, floats),
        (r) => readColumn(r, type, values.length),
      );
      const out = columnRowValues(column, values.length);
      if (type === 'FLOAT') expect(bitsOf(out.map((v) => (v === null ? 1234.5 : (v as number))))).toEqual(bitsOf(values.map((v) => (v === null ? 1234.5 : (v as number)))));
      expect(out).toEqual(values);
    }
  });
  it.each(cases)('%s: all NULL, one row and no rows', (type, base) => {
    for (const values of [[null, null, null], [base[0] ?? null], []]) {
      const [column] = roundTrip(
        (w) => writeColumn(w, type, values, floats),
        (r) => readColumn(r, type, values.length),
      );
      expect(columnRowValues(column, values.length)).toEqual(values);
    }
  });
  it('records min/max of the non-null values (NaN ignored, strings by UTF-8 bytes)', () => {
    const read = (type: SqlType, values: SqlValue[]) =>
      roundTrip(
        (w) => writeColumn(w, type, values, floats),
        (r) => readColumn(r, type, values.length),
      )[0].summary;
    expect(read('FLOAT', [3, NaN, -1.5, null])).toEqual({ min: -1.5, max: 3 });
    expect(read('INT', [5, 2n ** 60n, -3])).toEqual({ min: -3, max: 2n ** 60n });
    expect(read('STRING', ['\uffff', '😀', 'a'])).toEqual({ min: 'a', max: '😀' });
    expect(read('BOOLEAN', [null, null])).toBeUndefined();
  });
  it('decodes INT and FLOAT values into a Float64Array for column-at-a-time use', () => {
    const [column] = roundTrip(
      (w) => writeColumn(w, 'INT', [1, 2, null, 4], floats),
      (r) => readColumn(r, 'INT', 4),
    );
    expect(column.values).toBeInstanceOf(Float64Array);
    expect(Array.from(column.values as Float64Array)).toEqual([1, 2, 4]);
  });
});
