import { describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/random.js';
import {
  blockColumnSummary,
  blockExtent,
  decodeBlock,
  decodeBlockColumn,
  encodeBlock,
} from '../../src/storage/block-codec.js';
import type { StoredRow } from '../../src/storage/engine.js';
import { encodeKeyTuple } from '../../src/storage/key-codec.js';
import type { ColumnSchema, TableSchema } from '../../src/storage/schema.js';
import { INT64_MAX, INT64_MIN } from '../../src/storage/values.js';
import type { SqlValue } from '../../src/storage/values.js';
import type { FloatCompression } from '../../src/storage/codecs/column-codec.js';

const FLOAT_COMPRESSIONS: readonly FloatCompression[] = ['xor', 'chimp'];

const COLUMNS: ColumnSchema[] = [
  { name: 'i', type: 'INT', notNull: false },
  { name: 'f', type: 'FLOAT', notNull: false },
  { name: 's', type: 'STRING', notNull: false },
  { name: 'b', type: 'BOOLEAN', notNull: false },
];

function table(primaryKey: number[], columns = COLUMNS): TableSchema {
  const notNull = columns.map((column, i) => ({ ...column, notNull: primaryKey.includes(i) }));
  return {
    name: 't', id: 1, columns: notNull, primaryKey, ttlMs: null, indexes: [],
    layout: 'columnar', rowCodecVersion: 1,
  };
}

const ROW_ID_TABLE = table([]);
const KEYED_TABLE = table([2, 0]);

function rowIdRow(id: number | bigint, values: SqlValue[], insertedAtMs = 0): StoredRow {
  return { key: encodeKeyTuple([id], ['INT']), values, insertedAtMs };
}

function keyedRow(values: SqlValue[], insertedAtMs = 0): StoredRow {
  return { key: encodeKeyTuple([values[2] as SqlValue, values[0] as SqlValue], ['STRING', 'INT']), values, insertedAtMs };
}

/** Rows as comparable plain data; FLOAT bits compared exactly (NaN, -0). */
function plain(rows: readonly StoredRow[]): unknown[] {
  const view = new DataView(new ArrayBuffer(8));
  return rows.map((row) => [
    [...row.key],
    row.values.map((value) => {
      if (typeof value !== 'number') return value;
      view.setFloat64(0, value);
      return `${value}:${view.getBigUint64(0).toString(16)}`;
    }),
    row.insertedAtMs,
  ]);
}

const EDGE_VALUES: SqlValue[][] = [
  [1, 0.5, 'a', true],
  [2n ** 53n + 1n, null, null, false],
  [null, NaN, '', null],
  [INT64_MIN, -0, 'é\u0000x', true],
  [INT64_MAX, Infinity, '😀', null],
  [-Number.MAX_SAFE_INTEGER, -Infinity, '', false],
];

/** EDGE_VALUES as rows 1..6 (insertedAtMs 5 - i), as the format-1 writer stored them on disk. */
const FORMAT_1_BLOCK =
  '01060400091080000000000000010801020801030801040801050801060a01010101010404010020000000000001' +
  '018000000000000000017fffffffffffffff01ffe0000000000001023fe00000000000007ff80000000000008000' +
  '0000000000007ff0000000000000fff00000000000000201610004c3a9007804f09f9880001401000100';

describe.each(FLOAT_COMPRESSIONS)('block codec (format 2), FLOAT columns by %s', (floats) => {
  it('round-trips a row-id table with every edge value, bit-exact', () => {
    const rows = EDGE_VALUES.map((values, i) => rowIdRow(i + 1, values, 1_700_000_000_000 + i * 7));
    expect(plain(decodeBlock(ROW_ID_TABLE, encodeBlock(ROW_ID_TABLE, rows, floats)))).toEqual(plain(rows));
  });
  it('round-trips a keyed table, deriving keys from the PRIMARY KEY columns', () => {
    const rows = [
      keyedRow([1, 1.5, '', true]),
      keyedRow([-5, -0, 'a', null]),
      keyedRow([2n ** 53n + 1n, NaN, 'a', false]),
      keyedRow([INT64_MAX, null, 'b\u0000', true]),
    ];
    const bytes = encodeBlock(KEYED_TABLE, rows, floats);
    expect(plain(decodeBlock(KEYED_TABLE, bytes))).toEqual(plain(rows));
    const explicit = encodeBlock(KEYED_TABLE, rows.map((row) => ({ ...row, key: Uint8Array.of(...row.key, 0) })), floats);
    expect(bytes.length).toBeLessThan(explicit.length);
  });
  it('keeps keys that do not derive from the values (explicit fallback)', () => {
    const rows = [
      { key: Uint8Array.of(0x30, 0x61, 0x00, 0x01), values: [1, 0.5, 'a', true], insertedAtMs: 10 },
      { key: Uint8Array.of(0x31), values: [2, 1, 'b', false], insertedAtMs: -3 },
    ];
    expect(plain(decodeBlock(ROW_ID_TABLE, encodeBlock(ROW_ID_TABLE, rows, floats)))).toEqual(plain(rows));
    const oddFirst = [{ key: Uint8Array.of(0x31), values: [2, 1, 'b', false], insertedAtMs: 0 }];
    expect(plain(decodeBlock(ROW_ID_TABLE, encodeBlock(ROW_ID_TABLE, oddFirst, floats)))).toEqual(plain(oddFirst));
  });
  it('round-trips one-row and empty blocks, and NULL in every position', () => {
    const one = [rowIdRow(2n ** 62n, [null, null, null, null])];
    expect(plain(decodeBlock(ROW_ID_TABLE, encodeBlock(ROW_ID_TABLE, one, floats)))).toEqual(plain(one));
    expect(decodeBlock(ROW_ID_TABLE, encodeBlock(ROW_ID_TABLE, [], floats))).toEqual([]);
    for (let r = 0; r < EDGE_VALUES.length; r++) {
      for (let c = 0; c < COLUMNS.length; c++) {
        const rows = EDGE_VALUES.map((values, i) =>
          rowIdRow(i, i === r ? values.map((v, j) => (j === c ? null : v)) : values),
        );
        expect(plain(decodeBlock(ROW_ID_TABLE, encodeBlock(ROW_ID_TABLE, rows, floats)))).toEqual(plain(rows));
      }
    }
  });
  it('still decodes format-1 blocks written before the per-column codecs', () => {
    const rows = EDGE_VALUES.map((values, i) => rowIdRow(i + 1, values, 5 - i));
    const old = Buffer.from(FORMAT_1_BLOCK, 'hex');
    expect(old[0]).toBe(1);
    expect(plain(decodeBlock(ROW_ID_TABLE, old))).toEqual(plain(rows));
    const extent = blockExtent(ROW_ID_TABLE, old);
    expect([extent.rows, [...extent.lastKey]]).toEqual([rows.length, [...(rows.at(-1)?.key ?? [])]]);
    expect(decodeBlockColumn(ROW_ID_TABLE, old, 0).values).toEqual(
      EDGE_VALUES.map((values) => values[0]).filter((value) => value !== null),
    );
  });
  it('reads one column alone, its min/max, and the extent without decoding the rest', () => {
    const rows = Array.from({ length: 50 }, (_, i) => rowIdRow(i + 1, [i * 10, i / 4, `d${i % 3}`, i % 2 === 0]));
    const bytes = encodeBlock(ROW_ID_TABLE, rows, floats);
    expect(bytes[0]).toBe(2);
    const column = decodeBlockColumn(ROW_ID_TABLE, bytes, 1);
    expect(column.values).toBeInstanceOf(Float64Array);
    expect(Array.from(column.values as Float64Array)).toEqual(rows.map((row) => row.values[1]));
    expect(blockColumnSummary(ROW_ID_TABLE, bytes, 0)).toEqual({ min: 0, max: 490 });
    expect(blockColumnSummary(ROW_ID_TABLE, bytes, 2)).toEqual({ min: 'd0', max: 'd2' });
    const extent = blockExtent(ROW_ID_TABLE, bytes);
    expect([extent.rows, [...extent.lastKey]]).toEqual([50, [...(rows[49]?.key ?? [])]]);
  });
  it('refuses a block written for another column count or an unknown format', () => {
    const bytes = encodeBlock(ROW_ID_TABLE, [rowIdRow(1, [1, 1, 'x', true])], floats);
    const narrower = table([], COLUMNS.slice(1));
    expect(() => decodeBlock(narrower, bytes)).toThrow(expect.objectContaining({ code: 'CORRUPTION' }));
    expect(() => decodeBlock(ROW_ID_TABLE, Uint8Array.of(9, 1, 4))).toThrow(
      expect.objectContaining({ code: 'CORRUPTION' }),
    );
    expect(() => decodeBlock(ROW_ID_TABLE, bytes.subarray(0, bytes.length - 2))).toThrow(
      expect.objectContaining({ code: 'CORRUPTION' }),
    );
  });
  it.each([1, 2, 3, 4, 5])('seed %i: random blocks round-trip bit-exact', (seed) => {
    const random = new Random(seed * 31_337);
    const pick = (): SqlValue[] => [
      random.chance(0.2) ? null : random.pick<SqlValue>([random.between(-1e6, 1e6), 2n ** 60n, INT64_MIN]),
      random.chance(0.2) ? null : random.pick([random.between(-1e4, 1e4) / 100, NaN, -0, random.nextU32() / 3]),
      random.chance(0.2) ? null : random.pick(['', 'esp-001', 'esp-002', '😀']),
      random.chance(0.2) ? null : random.chance(0.5),
    ];
    for (let round = 0; round < 20; round++) {
      let id = random.between(1, 1000);
      const rows = Array.from({ length: random.int(100) }, () =>
        rowIdRow((id += random.between(1, 3)), pick(), random.between(0, 1e6)),
      );
      expect(plain(decodeBlock(ROW_ID_TABLE, encodeBlock(ROW_ID_TABLE, rows, floats)))).toEqual(plain(rows));
    }
  });
});
