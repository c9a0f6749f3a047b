import { describe, expect, it } from 'vitest';
import { ByteWriter, compareBytes } from '../../src/storage/bytes.js';
import { Random } from '../../src/lib/index.js';
import {
  encodeKeyTuple,
  readKeyTuple,
  readKeyValue,
  writeKeyValue,
} from '../../src/storage/key-codec.js';
import { INT64_MAX, INT64_MIN } from '../../src/storage/values.js';
import type { SqlType, SqlValue } from '../../src/storage/values.js';

function encode(value: SqlValue, type: SqlType): Uint8Array {
  const writer = new ByteWriter();
  writeKeyValue(writer, value, type);
  return writer.finish();
}

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

function compareInts(a: number | bigint | null, b: number | bigint | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function compareFloats(a: number | null, b: number | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (Number.isNaN(a) || Number.isNaN(b))
    return Number.isNaN(a) === Number.isNaN(b) ? 0 : Number.isNaN(a) ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareStrings(a: string | null, b: string | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const INTS: (number | bigint | null)[] = [
  null,
  INT64_MIN,
  INT64_MIN + 1n,
  -(2n ** 53n) - 5n,
  -Number.MAX_SAFE_INTEGER,
  -(2 ** 32) - 1,
  -(2 ** 32),
  -(2 ** 31),
  -65536,
  -256,
  -1,
  0,
  1,
  2,
  127,
  128,
  255,
  256,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32,
  2 ** 32 + 1,
  Number.MAX_SAFE_INTEGER,
  2n ** 53n,
  2n ** 53n + 1n,
  2n ** 62n,
  INT64_MAX - 1n,
  INT64_MAX,
];
const FLOATS: (number | null)[] = [
  null,
  -Infinity,
  -Number.MAX_VALUE,
  -1e300,
  -2.5,
  -1,
  -Number.MIN_VALUE,
  -0,
  0,
  Number.MIN_VALUE,
  1e-300,
  0.1,
  1,
  1.0000001,
  2.5,
  1e300,
  Number.MAX_VALUE,
  Infinity,
  NaN,
];
const STRINGS: (string | null)[] = [
  null,
  '',
  '\u0000',
  '\u0000\u0000',
  '\u0000a',
  '\u0001',
  'a',
  'a\u0000',
  'a\u0000b',
  'a\u0001',
  'ab',
  'abc',
  'b',
  'B',
  'Z',
  'é',
  'ü',
  '中',
  '😀',
  '\uffff',
  'aaaa',
  'a'.repeat(300),
];
const BOOLEANS: (boolean | null)[] = [null, false, true];

function checkOrder<T extends SqlValue>(
  type: SqlType,
  values: readonly T[],
  compare: (a: T, b: T) => number,
): void {
  for (const a of values) {
    for (const b of values) {
      const byBytes = sign(Buffer.compare(encode(a, type), encode(b, type)));
      expect(byBytes, `${type} ${String(a)} vs ${String(b)}`).toBe(sign(compare(a, b)));
    }
  }
}

describe('key encoding order', () => {
  it('INT: byte order equals numeric order (numbers and bigints, int64 range)', () => {
    checkOrder('INT', INTS, compareInts);
  });
  it('FLOAT: IEEE order, -0 equals 0, NaN last, NULL first', () => {
    checkOrder('FLOAT', FLOATS, compareFloats);
    expect(Buffer.compare(encode(-0, 'FLOAT'), encode(0, 'FLOAT'))).toBe(0);
  });
  it('STRING: UTF-8 byte order, prefixes and NUL bytes included', () => {
    checkOrder('STRING', STRINGS, compareStrings);
  });
  it('BOOLEAN: null < false < true', () => {
    checkOrder('BOOLEAN', BOOLEANS, (a, b) =>
      a === b ? 0 : a === null ? -1 : b === null ? 1 : a ? 1 : -1,
    );
  });
  it('tuples compare column by column, regardless of the first value length', () => {
    const types: SqlType[] = ['STRING', 'INT'];
    const tuples: [string | null, number | null][] = [];
    for (const s of ['', 'a', 'a\u0000', 'ab', 'b'])
      for (const n of [null, -5, 0, 7]) tuples.push([s, n]);
    for (const a of tuples) {
      for (const b of tuples) {
        const expected = compareStrings(a[0], b[0]) || compareInts(a[1], b[1]);
        const actual = Buffer.compare(encodeKeyTuple(a, types), encodeKeyTuple(b, types));
        expect(sign(actual), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(sign(expected));
      }
    }
  });
});

describe('key encoding round trip', () => {
  it('decodes every value back to its canonical form', () => {
    const cases: [SqlValue, SqlType][] = [
      ...INTS.map((v): [SqlValue, SqlType] => [v, 'INT']),
      ...FLOATS.map((v): [SqlValue, SqlType] => [v, 'FLOAT']),
      ...STRINGS.map((v): [SqlValue, SqlType] => [v, 'STRING']),
      ...BOOLEANS.map((v): [SqlValue, SqlType] => [v, 'BOOLEAN']),
    ];
    for (const [value, type] of cases) {
      const bytes = encode(value, type);
      const [decoded, end] = readKeyValue(bytes, 0);
      expect(end).toBe(bytes.length);
      if (type === 'FLOAT' && value === -0) expect(decoded).toBe(0);
      else if (typeof value === 'bigint' && value >= -(2n ** 53n) + 1n && value <= 2n ** 53n - 1n) {
        expect(decoded).toBe(Number(value));
      } else expect(decoded).toEqual(value);
    }
  });
  it('reads a tuple and reports where it ends', () => {
    const bytes = encodeKeyTuple(
      ['x\u0000y', 2n ** 60n, true, null],
      ['STRING', 'INT', 'BOOLEAN', 'FLOAT'],
    );
    const [values, end] = readKeyTuple(bytes, 0, 4);
    expect(values).toEqual(['x\u0000y', 2n ** 60n, true, null]);
    expect(end).toBe(bytes.length);
  });
});

describe('compareBytes', () => {
  it('orders keys exactly as Buffer.compare does, short and long, with shared prefixes', () => {
    const rng = new Random(11);
    const prefix = Uint8Array.from({ length: 60 }, () => rng.int(256));
    const key = (): Uint8Array => {
      const shared = rng.int(prefix.length);
      const tail = Uint8Array.from({ length: rng.int(12) }, () => (rng.chance(0.5) ? rng.int(3) : rng.int(256)));
      return Uint8Array.from([...prefix.subarray(0, shared), ...tail]);
    };
    for (let n = 0; n < 20_000; n++) {
      const a = key();
      const b = rng.chance(0.1) ? Uint8Array.from(a) : key();
      expect(compareBytes(a, b)).toBe(Buffer.compare(a, b));
    }
  });
});
