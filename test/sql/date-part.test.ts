import { describe, expect, it } from 'vitest';
import { expectError, newSession, rowsOf } from './support.js';

const FIELDS = ['epoch', 'second', 'millisecond', 'minute', 'hour', 'day', 'dow', 'isodow', 'doy', 'week', 'month', 'quarter', 'year', 'isoyear', 'decade', 'century', 'millennium'];

// PostgreSQL 15: date_part(field, to_timestamp(t) AT TIME ZONE 'UTC') for each field above.
const POSTGRESQL: readonly (readonly [string, readonly number[]])[] = [
  ['1700000045.5', [1700000045.5, 5.5, 5500, 14, 22, 14, 2, 2, 318, 46, 11, 4, 2023, 2023, 202, 21, 3]],
  ['-1', [-1, 59, 59000, 59, 23, 31, 3, 3, 365, 1, 12, 4, 1969, 1970, 196, 20, 2]],
  ['946684800', [946684800, 0, 0, 0, 0, 1, 6, 6, 1, 52, 1, 1, 2000, 1999, 200, 20, 2]],
  ['978307200', [978307200, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 2001, 2001, 200, 21, 3]],
  ['1609459200', [1609459200, 0, 0, 0, 0, 1, 5, 5, 1, 53, 1, 1, 2021, 2020, 202, 21, 3]],
  ['1704067199', [1704067199, 59, 59000, 59, 23, 31, 0, 7, 365, 52, 12, 4, 2023, 2023, 202, 21, 3]],
  ['-62167219200', [-62167219200, 0, 0, 0, 0, 1, 6, 6, 1, 52, 1, 1, -1, -2, 0, -1, -1]],
  // Whole microseconds, as PostgreSQL's timestamps hold them (not 20.12345600128174).
  ['1700000000.123456', [1700000000.123456, 20.123456, 20123.456, 13, 22, 14, 2, 2, 318, 46, 11, 4, 2023, 2023, 202, 21, 3]],
  ['-1.2345678', [-1.234568, 58.765432, 58765.432, 59, 23, 31, 3, 3, 365, 1, 12, 4, 1969, 1970, 196, 20, 2]],
  ['253402300799', [253402300799, 59, 59000, 59, 23, 31, 5, 5, 365, 52, 12, 4, 9999, 9999, 999, 100, 10]],
];

describe('date_part(field, ts) and extract(field FROM ts) over unix seconds', () => {
  it.each(POSTGRESQL)('answer PostgreSQL\'s fields of %s, in UTC', async (time, expected) => {
    const { session } = await newSession();
    const parts = FIELDS.map((f) => `date_part('${f}', ${time})`).join(', ');
    expect(rowsOf(await session.execute(`SELECT ${parts}`))).toEqual([expected]);
    const extracts = FIELDS.map((f) => `extract(${f.toUpperCase()} FROM ${time})`).join(', ');
    expect(rowsOf(await session.execute(`SELECT ${extracts}`))).toEqual([expected]);
  });

  it('take plurals and quoted fields, answer NULL outside years 0000-9999, and name the column as written', async () => {
    const { session } = await newSession();
    const result = await session.execute("SELECT extract('Hours' FROM 7200), date_part('days', 0), extract(year FROM 253402300800), date_part('hour', NULL)");
    expect(result.kind === 'rows' ? result.columns : []).toEqual(['extract(hours from 7200)', "date_part('days', 0)", 'extract(year from 253402300800)', "date_part('hour', null)"]);
    expect(rowsOf(result)).toEqual([[2, 1, null, null]]);
    // The last second of 9999 keeps its fraction.
    expect(rowsOf(await session.execute("SELECT date_part('year', 253402300799.5), date_part('second', 253402300799.5)"))).toEqual([[9999, 59.5]]);
  });

  it('refuse text times, unknown fields and the time-zone fields, by name', async () => {
    const { session } = await newSession();
    await expectError(session, "SELECT date_part('hour', '2024-01-01')", 'TYPE_MISMATCH', /needs unix seconds \(a number\), got STRING; read a text date with unixepoch\(text\) first/);
    await expectError(session, 'SELECT extract(fortnight FROM 0)', 'INVALID_ARGUMENT', /^extract\(\): unknown field 'fortnight' \(epoch, second/);
    await expectError(session, 'SELECT extract(timezone FROM 0)', 'UNSUPPORTED', /extract\(\) field 'timezone' .*times are UTC/);
    await expectError(session, "SELECT date_part('hour' FROM 1)", 'UNSUPPORTED', "Unsupported: date_part(... FROM ...); use date_part('hour', ts) or extract(hour FROM ts)");
  });
});
