import { describe, expect, it } from 'vitest';
import type { RowsResult, StatementResult } from '../../src/sql/result.js';
import type { SqlType, SqlValue } from '../../src/storage/values.js';
import { formatCsv, formatJson, formatResult, formatTable } from '../../src/cli/format/index.js';

function rows(
  columns: string[], columnTypes: (SqlType | null)[], data: SqlValue[][],
): RowsResult {
  return { kind: 'rows', columns, columnTypes, rows: data };
}

const guideRows = rows(
  ['id', 'temp', 'device'], ['INT', 'FLOAT', 'STRING'], [[1, 25.5, 'sensor-01']]);
const created: StatementResult =
  { kind: 'message', message: 'Table sensors created', rowsAffected: 0 };
const inserted: StatementResult =
  { kind: 'message', message: 'Inserted into sensors', rowsAffected: 1 };

describe('table format', () => {
  const cases: { name: string; result: StatementResult; lines: string[] }[] = [
    {
      name: "the guide's session table",
      result: guideRows,
      lines: [
        '+----+------+-----------+',
        '| id | temp | device    |',
        '+----+------+-----------+',
        '| 1  | 25.5 | sensor-01 |',
        '+----+------+-----------+',
      ],
    },
    { name: 'a DDL message', result: created, lines: ['Table sensors created'] },
    { name: 'an INSERT message', result: inserted, lines: ['Inserted into sensors'] },
    {
      name: 'NULL cells and a header wider than its values',
      result: rows(['device_name', 'v'], ['STRING', 'INT'], [[null, 7], ['a', null]]),
      lines: [
        '+-------------+------+',
        '| device_name | v    |',
        '+-------------+------+',
        '| NULL        | 7    |',
        '| a           | NULL |',
        '+-------------+------+',
      ],
    },
    {
      name: 'an empty result shows the header and (0 rows)',
      result: rows(['id', 'temp'], ['INT', 'FLOAT'], []),
      lines: ['+----+------+', '| id | temp |', '+----+------+', '(0 rows)'],
    },
    {
      name: 'INT prints as an integer, FLOAT in shortest round-trip form',
      result: rows(['i', 'f', 'g', 'h'], ['INT', 'FLOAT', 'FLOAT', 'FLOAT'], [[3, 30, 0.1, 1e21]]),
      lines: [
        '+---+----+-----+-------+',
        '| i | f  | g   | h     |',
        '+---+----+-----+-------+',
        '| 3 | 30 | 0.1 | 1e+21 |',
        '+---+----+-----+-------+',
      ],
    },
    {
      name: 'big INTs, non-finite FLOATs, booleans, -0',
      result: rows(['big', 'nan', 'inf', 'b', 'z'], ['INT', 'FLOAT', 'FLOAT', 'BOOLEAN', 'FLOAT'],
        [[9223372036854775807n, NaN, -Infinity, true, -0]]),
      lines: [
        '+---------------------+-----+-----------+------+---+',
        '| big                 | nan | inf       | b    | z |',
        '+---------------------+-----+-----------+------+---+',
        '| 9223372036854775807 | NaN | -Infinity | true | 0 |',
        '+---------------------+-----+-----------+------+---+',
      ],
    },
    {
      name: 'control characters are escaped so the box stays intact',
      result: rows(['s'], ['STRING'], [['a\nb\tc']]),
      lines: ['+---------+', '| s       |', '+---------+', '| a\\nb\\tc |', '+---------+'],
    },
    {
      name: 'wide characters count two columns',
      result: rows(['s'], ['STRING'], [['日本'], ['abcde']]),
      lines: ['+-------+', '| s     |', '+-------+', '| 日本  |', '| abcde |', '+-------+'],
    },
    {
      name: 'a NULL-only column (type null)',
      result: rows(['null'], [null], [[null]]),
      lines: ['+------+', '| null |', '+------+', '| NULL |', '+------+'],
    },
    {
      name: 'count(*) column name and an INT beyond 1e21 held as a number',
      result: rows(['count(*)'], ['INT'], [[1e21]]),
      lines: [
        '+------------------------+',
        '| count(*)               |',
        '+------------------------+',
        '| 1000000000000000000000 |',
        '+------------------------+',
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(formatTable(c.result)).toEqual(c.lines);
      expect(formatResult(c.result, 'table')).toEqual(c.lines);
    });
  }
});

describe('json format', () => {
  const cases: { name: string; result: StatementResult; line: string }[] = [
    {
      name: 'rows as in SPEC',
      result: rows(['id', 'temp'], ['INT', 'FLOAT'], [[1, 25.5], [2, null]]),
      line: '{"columns":["id","temp"],"rows":[[1,25.5],[2,null]]}',
    },
    {
      name: 'a message with rows_affected',
      result: inserted,
      line: '{"message":"Inserted into sensors","rows_affected":1}',
    },
    {
      name: 'DDL has rows_affected 0', result: created,
      line: '{"message":"Table sensors created","rows_affected":0}',
    },
    {
      name: 'INT beyond 2^53-1 is a string, within is a number',
      result: rows(['a', 'b', 'c', 'd'], ['INT', 'INT', 'INT', 'INT'],
        [[9007199254740991, 9007199254740992n, -9223372036854775808n, 42n]]),
      line: '{"columns":["a","b","c","d"],"rows":[[9007199254740991,"9007199254740992",' +
        '"-9223372036854775808",42]]}',
    },
    {
      name: 'non-finite FLOATs are strings',
      result: rows(['a', 'b', 'c', 'd'], ['FLOAT', 'FLOAT', 'FLOAT', 'FLOAT'],
        [[NaN, Infinity, -Infinity, -0]]),
      line: '{"columns":["a","b","c","d"],"rows":[["NaN","Infinity","-Infinity",0]]}',
    },
    {
      name: 'booleans, strings with quotes and unicode, empty string, NULL',
      result: rows(['b', 's', 'e', 'n'], ['BOOLEAN', 'STRING', 'STRING', null],
        [[false, 'say "hi"\n✓', '', null]]),
      line: '{"columns":["b","s","e","n"],"rows":[[false,"say \\"hi\\"\\n✓","",null]]}',
    },
    {
      name: 'an empty result',
      result: rows(['id'], ['INT'], []),
      line: '{"columns":["id"],"rows":[]}',
    },
    {
      name: 'FLOAT that is integral stays a number',
      result: rows(['f'], ['FLOAT'], [[30], [1e300]]),
      line: '{"columns":["f"],"rows":[[30],[1e+300]]}',
    },
    {
      name: 'a FLOAT column is numbers even where a bigint reached it',
      result: rows(['f'], ['FLOAT'], [[9007199254740993n], [-9223372036854775808n]]),
      line: '{"columns":["f"],"rows":[[9007199254740992],[-9223372036854776000]]}',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(formatJson(c.result)).toBe(c.line);
      expect(formatResult(c.result, 'json')).toEqual([c.line]);
      expect(() => JSON.parse(c.line) as unknown).not.toThrow();
    });
  }
});

describe('csv format', () => {
  const cases: { name: string; result: StatementResult; lines: string[] }[] = [
    { name: 'the guide table', result: guideRows, lines: ['id,temp,device', '1,25.5,sensor-01'] },
    { name: 'messages print nothing', result: inserted, lines: [] },
    {
      name: 'NULL is empty, empty string is ""',
      result: rows(['a', 'b'], ['STRING', 'STRING'], [[null, ''], ['x', null]]),
      lines: ['a,b', ',""', 'x,'],
    },
    {
      name: 'quotes, commas and line breaks are quoted per RFC 4180',
      result: rows(['s'], ['STRING'], [['a,b'], ['say "hi"'], ['two\nlines'], ['cr\r'], [' sp ']]),
      lines: ['s', '"a,b"', '"say ""hi"""', '"two\nlines"', '"cr\r"', ' sp '],
    },
    {
      name: 'header names that need quoting',
      result: rows(['count(*)', 'a,b'], ['INT', 'INT'], [[2, 3]]),
      lines: ['count(*),"a,b"', '2,3'],
    },
    {
      name: 'numbers and booleans',
      result: rows(['i', 'f', 'b', 'n'], ['INT', 'FLOAT', 'BOOLEAN', 'FLOAT'],
        [[12345678901234567890n, 0.1, true, NaN]]),
      lines: ['i,f,b,n', '12345678901234567890,0.1,true,NaN'],
    },
    { name: 'an empty result is just the header', result: rows(['x'], ['INT'], []), lines: ['x'] },
    {
      name: 'a FLOAT column prints doubles even where a bigint reached it',
      result: rows(['f'], ['FLOAT'], [[9007199254740993n]]),
      lines: ['f', '9007199254740992'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(formatCsv(c.result)).toEqual(c.lines);
      expect(formatResult(c.result, 'csv')).toEqual(c.lines);
    });
  }
});
