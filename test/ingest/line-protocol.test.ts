import { describe, expect, it } from 'vitest';
import { applyPointBatch, parseLine } from '../../src/ingest/index.js';
import type { FieldValue, LineContext, Point, PointBatch } from '../../src/ingest/index.js';
import { Random } from '../../src/lib/index.js';
import { parseLineBody } from '../../src/ingest/line-body.js';
import { MEASUREMENT_COLUMNS_MAX, NEW_COLUMNS_MAX, NEW_MEASUREMENTS_MAX, storablePoints } from '../../src/ingest/measurement-table.js';
import { CatalogView, EMPTY_CATALOG } from '../../src/storage/catalog.js';
import { decodeReplicatedCommand, encodeReplicatedCommand } from '../../src/node/replicated-command.js';
import { newSession, rowsOf } from '../sql/support.js';

const NOW = 1_800_000_000_000_000_000n;
const ns: LineContext = { nanosPerUnit: 1n, defaultTimeNs: NOW };
const seconds: LineContext = { nanosPerUnit: 1_000_000_000n, defaultTimeNs: NOW };
const parse = (line: string, context = ns): Point | null => parseLine(line, 7, context);
const float = (value: number): FieldValue => ({ type: 'FLOAT', value });
const int = (value: number | bigint): FieldValue => ({ type: 'INT', value });
const str = (value: string): FieldValue => ({ type: 'STRING', value });
const bool = (value: boolean): FieldValue => ({ type: 'BOOLEAN', value });

describe('line protocol: one line', () => {
  it.each<[string, Partial<Point>]>([
    ['cpu usage=1.5 1700000000000000000', { measurement: 'cpu', tags: [], fields: [['usage', float(1.5)]], timeNs: 1_700_000_000_000_000_000n }],
    ['cpu,host=a,region=eu usage=1', { tags: [['host', 'a'], ['region', 'eu']], fields: [['usage', float(1)]], timeNs: NOW }],
    ['cpu,region=eu,host=a usage=1', { tags: [['host', 'a'], ['region', 'eu']] }],
    ['CPU,Host=A Usage=1', { measurement: 'cpu', tags: [['host', 'A']], fields: [['usage', float(1)]] }],
    ['m a=-1e3,b=.5,c=1.,d=-0.25E-2', { fields: [['a', float(-1000)], ['b', float(0.5)], ['c', float(1)], ['d', float(-0.0025)]] }],
    ['m a=1i,b=-9223372036854775808i,c=9223372036854775807i,d=18u', {
      fields: [['a', int(1)], ['b', int(-(2n ** 63n))], ['c', int(2n ** 63n - 1n)], ['d', int(18)]] }],
    ['m a=t,b=T,c=true,d=True,e=TRUE,f=f,g=F,h=false,i=False,j=FALSE', {
      fields: [..."abcde"].map((k) => [k, bool(true)] as const).concat([..."fghij"].map((k) => [k, bool(false)] as const)) }],
    ['m s="a \\"q\\" b\\\\ c\\d, x=1 y"', { fields: [['s', str('a "q" b\\ c\\d, x=1 y')]] }],
    ['m s=""', { fields: [['s', str('')]] }],
    ['my\\ meas\\,ure,t\\ k\\=1=v\\,1\\ 2 f\\,x\\=y=1', {
      measurement: 'my meas,ure', tags: [['t k=1', 'v,1 2']], fields: [['f,x=y', float(1)]] }],
    ['m,t=a=b v=1', { tags: [['t', 'a=b']] }],
    ['m v=1 1700000000', { timeNs: 1_700_000_000n }],
    ['m v=1 -5', { timeNs: -5n }],
    ['m v=1,v=2', { fields: [['v', float(2)]] }],
    ['   m v=1   1   ', { timeNs: 1n }],
    ['m v=1 17\r', { timeNs: 17n }],
  ])('%s', (line, expected) => {
    expect(parse(line)).toMatchObject(expected);
  });

  it('scales timestamps by the precision, and gives points without one the receive time', () => {
    expect(parse('m v=1 1700000000', seconds)?.timeNs).toBe(1_700_000_000_000_000_000n);
    expect(parse('m v=1', seconds)?.timeNs).toBe(NOW);
  });

  it('keeps the last value of a field written twice with its type, as InfluxDB does', () => {
    expect(parse('cpu v=1,w=2,v=3')?.fields).toEqual([['v', float(3)], ['w', float(2)]]);
  });

  it('skips blank lines and comments', () => {
    for (const line of ['', '   ', '\r', '# a comment', '  # indented comment']) expect(parse(line)).toBeNull();
  });

  it.each([
    ['cpu', /line 7: expected a field set/],
    ['cpu ', /line 7: missing field key/],
    ['cpu,host usage=1', /line 7: tag key host has no =value/],
    ['cpu,host= usage=1', /missing value of tag host/],
    ['cpu,=a usage=1', /missing tag key/],
    [',host=a usage=1', /missing measurement/],
    ['cpu usage=', /field usage has no value/],
    ['cpu usage=abc', /field usage has an invalid value abc/],
    ['cpu usage=1.5i', /invalid value 1.5i/],
    ['cpu usage=-1u', /invalid value -1u/],
    ['cpu usage=9223372036854775808i', /does not fit a 64-bit INT/],
    ['cpu usage=18446744073709551615u', /does not fit a 64-bit INT/],
    ['cpu usage=1e999', /out of the FLOAT range/],
    ['cpu usage="open', /no closing quote/],
    ['cpu usage=1 12:00', /bad timestamp "12:00"/],
    ['cpu usage=1 1 2', /bad timestamp "1 2"/],
    ['cpu,host=a,host=b usage=1', /tag host appears twice/],
    ['cpu,Host=a,host=b usage=1', /tag keys Host and host are one column host \(column names ignore case\)/],
    ['cpu,host=a host=1', /host is both a tag and a field/],
    // InfluxDB refuses the first and keeps both of the second, which are one column here.
    ['cpu v=1,v="x"', /field v appears twice, as FLOAT and as STRING/],
    ['cpu V=1,v=2', /field keys V and v are one column v \(column names ignore case\)/],
    ['cpu,series=a v=1', /series is a reserved column name/],
    ['cpu ts=1', /ts is a reserved column name/],
    ['cpu v=1 9223372036854775807', /ok/],
  ])('refuses %s naming the line and the problem', (line, problem) => {
    if (problem.source === 'ok') {
      expect(() => parse(line)).not.toThrow();
      expect(() => parse('cpu v=1 9223372036854775807', seconds)).toThrow(/timestamp 9223372036854775807 is out of range/);
      return;
    }
    expect(() => parse(line)).toThrow(problem);
    expect(() => parse(line)).toThrow(/^line 7: /);
  });

  it('refuses a long run of digits that is no number at once (the pattern once took minutes over it)', () => {
    expect(() => parse(`cpu usage=${'1'.repeat(300_000)}x`)).toThrow(/^line 7: field usage has an invalid value 1{20}/);
  });
});

/** Line protocol text of a point, escaped as InfluxDB documents it. */
function formatPoint(point: Point): string {
  const name = (text: string, extra: RegExp): string => text.replace(extra, (c) => `\\${c}`);
  const tags = point.tags.map(([k, v]) => `,${name(k, /[, =]/g)}=${name(v, /[, =]/g)}`).join('');
  const fields = point.fields.map(([key, field]) => `${name(key, /[, =]/g)}=${formatValue(field)}`).join(',');
  return `${name(point.measurement, /[, ]/g)}${tags} ${fields} ${point.timeNs}`;
}

function formatValue(field: FieldValue): string {
  switch (field.type) {
    case 'FLOAT':
      return Number.isInteger(field.value) && Math.abs(field.value) < 1e21 ? `${field.value}` : String(field.value);
    case 'INT':
      return `${field.value}i`;
    case 'STRING':
      return `"${field.value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
    case 'BOOLEAN':
      return field.value ? 'true' : 'false';
  }
}

/** Names made of letters, digits and the characters line protocol escapes (a `\` never last or before one of them). */
function randomName(random: Random): string {
  const alphabet = 'abcxyz019_ ,=.-é\\';
  let out = '';
  const length = 1 + random.int(8);
  for (let i = 0; i < length; i += 1) out += alphabet[random.int(alphabet.length)];
  return out.replace(/\\(?=[ ,=\\]|$)/g, '/').toLowerCase();
}

function randomField(random: Random): FieldValue {
  switch (random.int(4)) {
    case 0:
      return float([0, -0.5, 1e300, -2.5e-300, 123.456, random.nextU32() / 7][random.int(6)] ?? 0);
    case 1:
      return int([0, -1, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n, random.int(1_000_000)][random.int(6)] ?? 0);
    case 2:
      // Newlines in a string are written raw, as the Influx clients write them; the text after one
      // must never be read as a point of its own.
      return str(['', 'plain', 'quote " and \\ backslash', 'comma, space = equals', 'line\ttab', 'end\\', 'two\nlines',
        'Traceback:\nforged,host=evil v=666 1\nend', '\n'][random.int(9)] ?? '');
    default:
      return bool(random.int(2) === 0);
  }
}

function randomPoint(random: Random): Point {
  const tagKeys = [...new Set(Array.from({ length: random.int(4) }, () => `t${randomName(random)}`))].sort();
  const fieldKeys = [...new Set(Array.from({ length: 1 + random.int(4) }, () => `f${randomName(random)}`))];
  return {
    measurement: randomName(random).replace(/^ /, 'm'),
    tags: tagKeys.map((key) => [key, randomName(random)] as const),
    fields: fieldKeys.map((key) => [key, randomField(random)] as const),
    timeNs: BigInt(random.int(2 ** 31)) * BigInt(random.int(2 ** 31)) * (random.int(2) === 0 ? 1n : -1n),
  };
}

describe('line protocol: formatted points parse back to themselves', () => {
  it('holds for 3000 random points with every escape, type and edge value', () => {
    const random = new Random(20261203);
    for (let i = 0; i < 3000; i += 1) {
      const point = randomPoint(random);
      const line = formatPoint(point);
      expect(parse(line), line).toEqual(point);
    }
  });
});

/** Lines that are not points, each for its own reason. */
const BAD_LINES = ['cpu', 'cpu ', 'cpu,host usage=1', 'm v=oops', 'm v=', 'm,t= v=1', 'm v=1 12x', 'm s="open', 'm,ts=a v=1', 'm,a=x a=1'];

describe('line protocol: a body with bad lines', () => {
  it('keeps exactly the good points, in order, and names every line left out (300 random bodies)', async () => {
    const random = new Random(20261205);
    const catalog = new CatalogView(EMPTY_CATALOG);
    // 2^53 + 1 is no double (a FLOAT column would round it); 2^60 is one.
    const types: FieldValue[] = [float(1.5), int(2), str('s'), bool(true), int(2n ** 53n + 1n), int(2n ** 60n)];
    const exactAsDouble = (value: number | bigint): boolean => typeof value === 'number' || BigInt(Number(value)) === value;
    for (let body = 0; body < 300; body += 1) {
      const lines: string[] = [];
      const kept: Point[] = [];
      const dropped: number[] = [];
      // The physical line (1-based) the last pushed line starts on: a string may hold newlines.
      const lastLineNumber = (): number => lines.slice(0, -1).reduce((sum, line) => sum + 1 + line.split('\n').length - 1, 1);
      let conflictColumn: FieldValue['type'] | undefined;
      for (let n = 1 + random.int(20), i = 0; i < n; i += 1) {
        const kind = random.int(6);
        if (kind <= 2) {
          const point = randomPoint(random);
          lines.push(formatPoint(point));
          kept.push(point);
        } else if (kind === 3) {
          const bad = BAD_LINES[random.int(BAD_LINES.length)] ?? '';
          lines.push(bad);
          dropped.push(lastLineNumber());
          // A string left open runs to the end of the body, as InfluxDB reads it: it ends the body here.
          if (bad.includes('"')) break;
        } else if (kind === 4) {
          // One field whose type the first kept line fixes: a later other type is left out (INT into FLOAT is fine, when exact).
          const value = types[random.int(types.length)] ?? float(0);
          lines.push(formatPoint({ measurement: 'conflict', tags: [], fields: [['v', value]], timeNs: BigInt(i) }));
          const fits = conflictColumn === undefined || conflictColumn === value.type ||
            (value.type === 'INT' && conflictColumn === 'FLOAT' && exactAsDouble(value.value));
          if (fits) {
            conflictColumn ??= value.type;
            kept.push({ measurement: 'conflict', tags: [], fields: [['v', value]], timeNs: BigInt(i) });
          } else {
            dropped.push(lastLineNumber());
          }
        } else {
          lines.push(random.int(2) === 0 ? '' : '# a comment');
        }
      }
      const text = lines.join(random.int(2) === 0 ? '\n' : '\r\n');
      if (kept.length === 0 && dropped.length === 0) {
        await expect(parseLineBody(text, ns)).rejects.toThrow(/holds no points/);
        continue;
      }
      const parsed = await parseLineBody(text, ns);
      const storable = storablePoints(parsed.points, parsed.lineNumbers, catalog);
      expect(storable.kept, text).toEqual(kept);
      const rejected = [...parsed.rejected, ...storable.rejected].sort((a, b) => a.line - b.line);
      expect(rejected.map((r) => r.line), text).toEqual(dropped);
      for (const r of rejected) expect(r.message).toMatch(new RegExp(`^line ${r.line}: `));
    }
  });
});

describe('applying point batches', () => {
  const lines = (...text: string[]): Point[] => text.map((line, i) => parseLine(line, i + 1, seconds)).filter((p): p is Point => p !== null);
  const batch = (firstSeq: number, lastSeq: number, points: Point[]): PointBatch =>
    ({ source: 'n1/abc', firstSeq, lastSeq, nowMs: 1_700_000_000_000, afterPrevious: false, points });

  it('creates the table, adds columns for new tags and fields, merges a point of the same series and time', async () => {
    const { session, engine } = await newSession();
    const ddl: string[] = [];
    const apply = async (b: PointBatch) => {
      const txn = await engine.begin();
      const applied = await applyPointBatch(txn, b, { ddl: (sql) => ddl.push(sql) });
      await txn.commit(engine.appliedIndex + 1);
      return applied;
    };
    expect(await apply(batch(1, 1, lines('cpu,host=a usage=1.5,n=3i 10', 'cpu,host=b usage=2 10', 'mem,host=a free=1i 10'))))
      .toEqual({ stored: 3, merged: 0, skipped: 0, replayed: 0, problems: [] });
    expect(await apply(batch(1, 1, lines('cpu,host=a usage=99 10')))).toMatchObject({ stored: 0, replayed: 1 });
    expect(await apply(batch(2, 2, lines('cpu,host=a idle=7 10', 'cpu,host=a,dc=x usage=4i 11', 'cpu,host=a usage=1.5,n=2.5 12'))))
      .toEqual({ stored: 1, merged: 1, skipped: 1, replayed: 0, problems: ['field n of cpu is FLOAT here but the column is INT'] });
    const rows = rowsOf(await session.execute('SELECT series, ts, host, dc, usage, n, idle FROM cpu ORDER BY series, ts'));
    expect(rows).toEqual([
      ['dc=x,host=a', 11_000_000_000n, 'a', 'x', 4, null, null],
      ['host=a', 10_000_000_000n, 'a', null, 1.5, 3, 7],
      ['host=b', 10_000_000_000n, 'b', null, 2, null, null],
    ].map((row) => row.map((v) => (typeof v === 'bigint' ? Number(v) : v))));
    expect(ddl).toEqual([
      'CREATE TABLE IF NOT EXISTS "cpu" ("series" STRING NOT NULL, "ts" INT NOT NULL, PRIMARY KEY ("series", "ts"))',
      'ALTER TABLE "cpu" ADD COLUMN IF NOT EXISTS "host" STRING',
      'ALTER TABLE "cpu" ADD COLUMN IF NOT EXISTS "usage" FLOAT',
      'ALTER TABLE "cpu" ADD COLUMN IF NOT EXISTS "n" INT',
      'CREATE TABLE IF NOT EXISTS "mem" ("series" STRING NOT NULL, "ts" INT NOT NULL, PRIMARY KEY ("series", "ts"))',
      'ALTER TABLE "mem" ADD COLUMN IF NOT EXISTS "host" STRING',
      'ALTER TABLE "mem" ADD COLUMN IF NOT EXISTS "free" INT',
      'ALTER TABLE "cpu" ADD COLUMN IF NOT EXISTS "idle" FLOAT',
      'ALTER TABLE "cpu" ADD COLUMN IF NOT EXISTS "dc" STRING',
    ]);
    // Replayed elsewhere (a sync target), the statements make the same table, twice over.
    const { session: target } = await newSession();
    for (const sql of [...ddl, ...ddl]) await target.execute(sql);
    expect(rowsOf(await target.execute('DESCRIBE cpu')).map((row) => `${row[0]} ${row[1]}`))
      .toEqual(['series STRING', 'ts INT', 'host STRING', 'usage FLOAT', 'n INT', 'idle FLOAT', 'dc STRING']);
  });

  it('reports, rather than stores, points for a table that is not a measurement table', async () => {
    const { session, engine } = await newSession();
    await session.execute('CREATE TABLE cpu (id INT PRIMARY KEY, usage FLOAT)');
    const txn = await engine.begin();
    const applied = await applyPointBatch(txn, batch(1, 1, lines('cpu usage=1 1')));
    expect(applied).toMatchObject({ stored: 0, skipped: 1 });
    expect(applied.problems[0]).toMatch(/table cpu exists but is not a measurement table/);
    await txn.rollback();
  });

  it('skips a tag that meets a column a field made since it was accepted, in one batch or the next', async () => {
    const { session, engine } = await newSession();
    const apply = async (b: PointBatch) => {
      const txn = await engine.begin();
      const applied = await applyPointBatch(txn, b);
      await txn.commit(engine.appliedIndex + 1);
      return applied;
    };
    // Both lines were accepted against an empty catalog (two requests, or two nodes).
    expect(await apply(batch(1, 1, lines('sensor temp=21.5 1000')))).toMatchObject({ stored: 1 });
    expect(await apply(batch(2, 2, lines('sensor,temp=high v=1 2000', 'sensor v=2 3000')))).toEqual({
      stored: 1, merged: 0, skipped: 1, replayed: 0, problems: ['tag temp of sensor goes into a FLOAT column'],
    });
    expect(await apply(batch(3, 3, lines('gauge level=1 1', 'gauge,level=x v=1 2')))).toMatchObject({
      stored: 1, skipped: 1, problems: ['tag level of gauge goes into a FLOAT column'],
    });
    expect(rowsOf(await session.execute('SELECT temp, v FROM sensor ORDER BY ts'))).toEqual([[21.5, null], [null, 2]]);
  });

  it('never fails to apply points each accepted alone, whose names meet as tags and fields of any type (200 random runs)', async () => {
    const random = new Random(20261207);
    // 2^53 + 1 is no double (a FLOAT column would round it); 2^60 is one.
    const types: FieldValue[] = [float(1.5), int(2), str('s'), bool(true), int(2n ** 53n + 1n), int(2n ** 60n)];
    const names = ['a', 'b', 'c'];
    for (let run = 0; run < 200; run += 1) {
      const { engine } = await newSession();
      let counted = 0;
      let points = 0;
      for (let seq = 1; seq <= 1 + random.int(6); seq += 1) {
        const batchPoints: Point[] = Array.from({ length: 1 + random.int(3) }, (_, i) => {
          const tag = random.int(2) === 0 ? [] : [[names[random.int(3)] ?? 'a', 'x'] as const];
          const field = names[random.int(3)] ?? 'b';
          return { measurement: 'm', tags: tag.filter(([key]) => key !== field),
            fields: [[field, types[random.int(types.length)] ?? float(0)] as const], timeNs: BigInt(seq * 10 + i) };
        });
        // Each accepted against the catalog as it was, with nothing applied yet (another node's request).
        const accepted = storablePoints(batchPoints, batchPoints.map((_, i) => i + 1), new CatalogView(EMPTY_CATALOG)).kept;
        const txn = await engine.begin();
        const applied = await applyPointBatch(txn, batch(seq, seq, accepted));
        await txn.commit(engine.appliedIndex + 1);
        counted += applied.stored + applied.merged + applied.skipped;
        points += accepted.length;
      }
      expect(counted).toBe(points);
    }
  });

  it('refuses, by line, points past the new measurements or columns a request may make or the columns a table may have', async () => {
    // 20,000 new measurements or 100,000 fields in one small body once grew a node past its heap.
    const many = lines(...Array.from({ length: NEW_MEASUREMENTS_MAX + 5 }, (_, i) => `meas${i} v=1 1`));
    const checked = storablePoints(many, many.map((_, i) => i + 1), new CatalogView(EMPTY_CATALOG));
    expect(checked.kept).toHaveLength(NEW_MEASUREMENTS_MAX);
    expect(checked.rejected[0]?.message).toBe(`line ${NEW_MEASUREMENTS_MAX + 1}: more than ${NEW_MEASUREMENTS_MAX} new measurements in one request: send the others in another`);
    const wide = lines(`wide ${Array.from({ length: MEASUREMENT_COLUMNS_MAX + 1 }, (_, i) => `f${i}=1`).join(',')} 1`, 'wide f0=2 2');
    const narrow = storablePoints(wide, [1, 2], new CatalogView(EMPTY_CATALOG));
    expect(narrow.rejected.map((r) => r.message)).toEqual([`line 1: measurement wide would have ${MEASUREMENT_COLUMNS_MAX + 1} tags and fields (at most ${MEASUREMENT_COLUMNS_MAX})`]);
    expect(narrow.kept).toHaveLength(1);
    // Columns added over the whole request are bounded too: 1,000 new tables of 1,000 fields would be 1M.
    const fields = Array.from({ length: 500 }, (_, i) => `f${i}=1`).join(',');
    const broad = lines(...Array.from({ length: NEW_COLUMNS_MAX / 500 + 1 }, (_, i) => `broad${i} ${fields} 1`), 'broad0 f0=2 2');
    const bounded = storablePoints(broad, broad.map((_, i) => i + 1), new CatalogView(EMPTY_CATALOG));
    expect(bounded.rejected.map((r) => r.message)).toEqual([
      `line ${NEW_COLUMNS_MAX / 500 + 1}: more than ${NEW_COLUMNS_MAX} new tags and fields in one request: send the others in another`]);
    expect(bounded.kept).toHaveLength(NEW_COLUMNS_MAX / 500 + 1);
    // Accepted on two nodes, two points together past the width: the one left without a column is skipped.
    const { session, engine } = await newSession();
    const txn = await engine.begin();
    const half = (from: number): string => Array.from({ length: MEASUREMENT_COLUMNS_MAX / 2 + 1 }, (_, i) => `f${from + i}=1`).join(',');
    const applied = await applyPointBatch(txn, batch(1, 1, lines(`w2 ${half(0)} 1`, `w2 ${half(10_000)} 2`)));
    await txn.commit(engine.appliedIndex + 1);
    expect(applied).toMatchObject({ stored: 1, skipped: 1 });
    expect(applied.problems[0]).toMatch(/^w2 has 1000 tags and fields, the most a table may have: no column for f10/);
    expect(rowsOf(await session.execute('SELECT count(*) FROM w2'))).toEqual([[1]]);
  });

  it('travels in the log as one typed command', () => {
    const command = { kind: 'pointBatch', batch: batch(3, 9, lines('m,t=x a=1.5,b=-9223372036854775808i,c="s",d=true 1')) } as const;
    expect(decodeReplicatedCommand(encodeReplicatedCommand(command))).toEqual(command);
  });
});
