import { describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/random.js';
import { checkedColumns, encodeColumnBlock } from '../../src/storage/block-columns.js';
import type { BlockColumns, ColumnInput } from '../../src/storage/block-columns.js';
import { blockColumnSummary, decodeBlock, decodeBlockColumn, decodeBlockColumns, encodeBlock } from '../../src/storage/block-codec.js';
import { summarize } from '../../src/storage/codecs/column-summary.js';
import type { StoredRow } from '../../src/storage/engine.js';
import { encodeKeyTuple } from '../../src/storage/key-codec.js';
import type { ColumnSchema, TableSchema } from '../../src/storage/schema.js';
import type { SqlValue } from '../../src/storage/values.js';

const COLUMNS: ColumnSchema[] = [
  { name: 'device', type: 'STRING', notNull: false },
  { name: 'ts', type: 'INT', notNull: false },
  { name: 'value', type: 'FLOAT', notNull: false },
  { name: 'id', type: 'STRING', notNull: false },
  { name: 'note', type: 'STRING', notNull: false },
];
const SCHEMA: TableSchema = {
  name: 't', id: 1, columns: COLUMNS, primaryKey: [], ttlMs: null, indexes: [], layout: 'columnar', rowCodecVersion: 1,
};
/** Names whose UTF-16 and UTF-8 orders part, and two that encode alike. */
const NAMES = ['esp-1', 'esp-10', 'esp-1:', 'é', '\uffff', '\ud83d\ude00', 'a\ud800', 'a\ufffd', '', '\udc00x', 'x\ud83d'];

interface Drawn {
  readonly columns: BlockColumns;
  /** The rows the columns stand for, strings as storage gives them back. */
  readonly rows: SqlValue[][];
  /** The same rows as given (a lone surrogate kept). */
  readonly given: SqlValue[][];
  readonly joined: boolean;
}

const stored = (value: SqlValue): SqlValue => (typeof value === 'string' ? Buffer.from(value).toString() : value);

function draw(random: Random): Drawn {
  const length = 1 + random.int(random.chance(0.5) ? 5 : 300);
  const entries = [...NAMES].sort(() => random.int(3) - 1);
  const indexes = Uint32Array.from({ length }, () => random.int(random.chance(0.5) ? 2 : entries.length));
  const ts = Float64Array.from({ length }, (_, i) => random.pick([i, -i, 2 ** 40 + i * 7, -0, Number.MAX_SAFE_INTEGER - i]));
  const value = Float64Array.from({ length }, () => random.pick([0.5, 21.25, -1e300, NaN, random.int(1000) / 10]));
  const joined = random.chance(0.7);
  // '' and surrogate separators let a part ending in a high surrogate meet one starting with a
  // low one: insertAsBlocks must refuse them (the row path would store the pair whole).
  const separator = random.pick([':', '/', 'é', '::', '', '\ud83d', '\ude00']);
  const parts = random.pick([[0, 1], [1, 0, 1], [0], [4]]);
  const notes = Array.from({ length }, () => random.pick([null, 'x', 'é']));
  const noteStrings = notes.every((n) => n !== null) && random.chance(0.5);
  const columns: ColumnInput[] = [
    { kind: 'strings', entries, indexes },
    { kind: 'numbers', values: ts },
    { kind: 'numbers', values: value },
    joined ? { kind: 'joined', parts: parts.includes(4) && !noteStrings ? [0, 1] : parts, separator }
      : { kind: 'values', values: Array.from({ length }, (_, i) => (i % 3 === 0 ? null : `v${i}`)) },
    noteStrings ? { kind: 'strings', entries: ['x', 'é'], indexes: Uint32Array.from(notes, (n) => (n === 'x' ? 0 : 1)) }
      : { kind: 'values', values: notes },
  ];
  const given = Array.from({ length }, (_, i): SqlValue[] => {
    const row: SqlValue[] = [entries[indexes[i]!]!, Object.is(ts[i], -0) ? 0 : ts[i]!, value[i]!, null, notes[i]!];
    const id = columns[3]!;
    row[3] = id.kind === 'joined' ? id.parts.map((p) => String(row[p])).join(id.separator) : (id as { readonly values: readonly SqlValue[] }).values[i]!;
    return row;
  });
  return { columns: { length, columns }, rows: given.map((row) => row.map(stored)), given, joined };
}

const rowsOf = (rows: SqlValue[][]): StoredRow[] =>
  rows.map((values, i) => ({ key: encodeKeyTuple([7 + i], ['INT']), values, insertedAtMs: 1234 }));

describe('column blocks written from columns (encodeColumnBlock)', () => {
  it('decode to the rows they stand for, with the summaries of those rows, and match encodeBlock byte for byte without a joined column', () => {
    const random = new Random(16);
    for (let trial = 0; trial < 400; trial++) {
      const drawn = draw(random);
      const floats = trial % 2 === 0 ? 'xor' : 'chimp';
      const joined = drawn.columns.columns[3];
      const splitsSurrogates = joined?.kind === 'joined' && (joined.separator === '' || /[\ud800-\udfff]/.test(joined.separator));
      let checked: BlockColumns;
      try {
        checked = checkedColumns(SCHEMA, drawn.columns);
      } catch (error) {
        expect(splitsSurrogates, `trial ${trial}: ${String(error)}`).toBe(true);
        expect(String(error)).toMatch(/separator without surrogates/);
        continue;
      }
      const { block, firstKey, lastKey } = encodeColumnBlock(SCHEMA, checked, { from: 0, to: drawn.rows.length, floats }, 7, 1234);
      const expected = rowsOf(drawn.rows);
      const where = `trial ${trial}`;
      expect(decodeBlock(SCHEMA, block), where).toEqual(expected);
      expect([firstKey, lastKey], where).toEqual([expected[0]!.key, expected.at(-1)!.key]);
      if (!drawn.joined) expect(Buffer.from(block).equals(Buffer.from(encodeBlock(SCHEMA, rowsOf(drawn.given), floats))), where).toBe(true);
      COLUMNS.forEach((column, c) => {
        const values = drawn.rows.map((row) => row[c] as SqlValue);
        const summary = summarize(column.type, values);
        expect(blockColumnSummary(SCHEMA, block, c), `${where} column ${column.name}`).toEqual(summary);
        expect(Array.from(decodeBlockColumns(SCHEMA, block, [c]).columns[c]!), `${where} column ${column.name}`).toEqual(values);
        expect(decodeBlockColumn(SCHEMA, block, c).summary, `${where} column ${column.name}`).toEqual(summary);
      });
      expect(splitsSurrogates, `${where}: a separator that can split surrogate pairs was taken`).toBe(false);
    }
  });

  it('refuses inputs that do not fit their columns', () => {
    const length = 2;
    const base: ColumnInput[] = [
      { kind: 'strings', entries: ['a'], indexes: new Uint32Array(2) },
      { kind: 'numbers', values: Float64Array.of(1, 2) },
      { kind: 'numbers', values: Float64Array.of(1, 2) },
      { kind: 'joined', parts: [0, 1], separator: ':' },
      { kind: 'values', values: [null, null] },
    ];
    const broken = (c: number, input: ColumnInput): BlockColumns => ({ length, columns: base.map((b, i) => (i === c ? input : b)) });
    expect(() => checkedColumns(SCHEMA, broken(1, { kind: 'numbers', values: Float64Array.of(1, 1.5) }))).toThrow(/ts: row 1/);
    expect(() => checkedColumns(SCHEMA, broken(0, { kind: 'strings', entries: ['a'], indexes: Uint32Array.of(0, 1) }))).toThrow(/past the dictionary/);
    expect(() => checkedColumns(SCHEMA, broken(3, { kind: 'joined', parts: [2], separator: ':' }))).toThrow(/part 2/);
    expect(() => checkedColumns(SCHEMA, broken(3, { kind: 'joined', parts: [4], separator: ':' }))).toThrow(/part 4/);
    // Parts meeting without a separator (or across a surrogate one) could pair a high and a low
    // surrogate that each part alone stores as U+FFFD.
    for (const separator of ['', '\ud83d', 'a\ude00']) {
      expect(() => checkedColumns(SCHEMA, broken(3, { kind: 'joined', parts: [0, 1], separator }))).toThrow(/separator without surrogates/);
    }
    expect(() => checkedColumns(SCHEMA, broken(1, { kind: 'values', values: ['x', 1] }))).toThrow(/does not fit/);
    expect(() => checkedColumns(SCHEMA, broken(4, { kind: 'numbers', values: Float64Array.of(1, 2) }))).toThrow(/numbers for a STRING/);
    expect(checkedColumns(SCHEMA, { length, columns: base }).columns).toHaveLength(5);
  });
});
