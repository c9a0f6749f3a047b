import { describe, expect, it } from 'vitest';
import { crc32 } from '../../src/lib/crc32.js';
import { decodeRow, encodeRow } from '../../src/storage/row-codec.js';
import type { ColumnSchema } from '../../src/storage/schema.js';
import type { SqlValue } from '../../src/storage/values.js';

const COLUMNS: ColumnSchema[] = [
  { name: 'i', type: 'INT', notNull: false },
  { name: 'f', type: 'FLOAT', notNull: false },
  { name: 's', type: 'STRING', notNull: false },
  { name: 'b', type: 'BOOLEAN', notNull: false },
];

describe('row codec', () => {
  const rows: [SqlValue[], number][] = [
    [[0, 0, '', false], 0],
    [[-1, -0.5, 'héllo', true], 1_700_000_000_123],
    [[Number.MAX_SAFE_INTEGER, NaN, 'a\u0000b', null], -5],
    [[-Number.MAX_SAFE_INTEGER, Infinity, '😀'.repeat(100), true], 42],
    [[2n ** 62n, -Infinity, null, false], 1],
    [[-(2n ** 63n), 3, 'x', true], 2 ** 49],
    [[null, null, null, null], 7],
  ];
  it.each(rows.map((row, i) => [i, ...row] as const))(
    'round-trips row %i',
    (_i, values, insertedAtMs) => {
      const decoded = decodeRow(encodeRow(COLUMNS, values, insertedAtMs));
      expect(decoded.insertedAtMs).toBe(insertedAtMs);
      expect(decoded.values).toEqual(values);
    },
  );
  it('is compact: small ints take few bytes', () => {
    expect(encodeRow(COLUMNS, [5, null, null, true], 0).length).toBeLessThanOrEqual(8);
  });
  it('rejects truncated rows with CORRUPTION', () => {
    const bytes = encodeRow(COLUMNS, [1, 2.5, 'abc', true], 9);
    expect(() => decodeRow(bytes.subarray(0, bytes.length - 3))).toThrow(
      expect.objectContaining({ code: 'CORRUPTION' }),
    );
  });
});

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});
