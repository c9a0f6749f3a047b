import { describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/index.js';
import { postgresTypeNames, runnablePostgresBin, startPostgres } from '../helpers/postgres.js';
import { canonicalNumber, outsideParentheses, tableData } from './compare-data.js';
import { floatSumData, floatSumQuery, predicateChain, randomQuery } from './sqlite-queries.js';
import { newSession, rowsOf } from './support.js';

// The sqlite3 comparison's queries, asked of PostgreSQL too: SQL reference says that where
// engines differ we answer as PostgreSQL does (NULLs last ascending, ILIKE, DISTINCT ON,
// percentiles, date_part, generate_series). A query PostgreSQL refuses (sqlite's own functions,
// its stricter types) is left out; every query it answers must get the same answer here.
// CHRONOS_PG_QUERIES / CHRONOS_PG_SEED run more (or other) queries.
const QUERIES = Number(process.env['CHRONOS_PG_QUERIES'] ?? 2000);
const SEED = Number(process.env['CHRONOS_PG_SEED'] ?? 515151);
const TIMEOUT_MS = Math.max(90_000, QUERIES * 30);

const bin = runnablePostgresBin();

const utc = (time: string): string => `(to_timestamp(${time}) AT TIME ZONE 'UTC')`;

/**
 * PostgreSQL's spelling of a query: our date functions take unix seconds, its take timestamps;
 * our round() of a FLOAT is its round() of a numeric (half away from zero, where its double's
 * rounds half to even). sqlite's date functions are left for PostgreSQL to refuse: its `date(x)`
 * is a cast, which reads '12:29:60' as the next minute where sqlite's date() answers NULL.
 * Its sum() of INTs is a numeric, which later divides with a fraction; ours is an INT, as
 * sqlite's. string_agg without its own ORDER BY is left out: PostgreSQL's order is undefined.
 */
function forPostgres(sql: string): string {
  // PostgreSQL lists a join's USING columns first under `*`; sqlite3 and we keep table order.
  if (/^SELECT \* FROM .*\b(USING|NATURAL)\b/.test(sql)) return `star_in_table_order_differs ${sql}`;
  return sql
    .replace(/\bsum\(((?:DISTINCT )?(?:t\.)?(?:g|id|n|w))\)(?! OVER| FILTER)/g, '(sum($1))::bigint')
    .replace(/\bstring_agg\(([^()]*)\)/g, (call, args: string) => (args.includes(' ORDER BY ') ? call : `unordered_${call}`))
    .replace(/\b(date|datetime|time|strftime|unixepoch)\(/g, 'sqlite_$1(')
    // The server's locale is C (ASCII-only case mapping); a UTF-8 user's PostgreSQL maps each character.
    .replace(/\b(upper|lower)\(('(?:[^']|'')*')\)/g, '$1($2 COLLATE "C.utf8")')
    .replace(/\bround\(([^()]*?)(, -?\d+)?\)/g, (_all, x: string, digits: string | undefined) => `round((${x})::numeric${digits ?? ''})`)
    .replace(/\bCAST\((.+?) AS (STRING|FLOAT|INT)\)/g, (_all, x: string, type: string) => `CAST(${x} AS ${postgresTypeNames(type)})`)
    .replace(/\bdate_trunc\('(\w+)', ([^()]*)\)/g, (_all, unit: string, time: string) => `extract(epoch FROM date_trunc('${unit}', ${utc(time)}))`)
    .replace(/\bdate_part\('(\w+)', ([^()]*)\)/g, (_all, field: string, time: string) => `date_part('${field}', ${utc(time)})`)
    .replace(/\bextract\((\w+) FROM ([^()]*)\)/g, (_all, field: string, time: string) => `extract(${field} FROM ${utc(time)})`);
}

/**
 * Forms sqlite3 has no spelling of, so only this comparison draws them: the ordered-set
 * aggregates over each column type, ascending and descending, per group and overall.
 */
function orderedSetQuery(rng: Random): string {
  const fraction = (): string => rng.pick(['0', '0.25', '0.5', '0.95', '1', String(rng.between(1, 99) / 100)]);
  const order = (columns: readonly string[]): string => `ORDER BY ${rng.pick(columns)}${rng.pick(['', ' DESC', ' ASC'])}`;
  const calls = [
    () => `percentile_cont(${fraction()}) WITHIN GROUP (${order(['v', 'g', 'id', 'v * 2 + g'])})`,
    () => `percentile_disc(${fraction()}) WITHIN GROUP (${order(['v', 'g', 's', 'id'])})`,
    () => `mode() WITHIN GROUP (${order(['s', 'g', 'v'])})`,
  ];
  const items = Array.from({ length: rng.between(1, 3) }, () => rng.pick(calls)()).join(', ');
  const where = rng.chance(0.7) ? ` WHERE ${predicateChain(rng, 1)}` : '';
  return rng.chance(0.6) ? `SELECT g, ${items} FROM t${where} GROUP BY g` : `SELECT ${items} FROM t${where}`;
}

/**
 * LATERAL subqueries (sqlite3 has none), each reading t's (or b's) columns: the last rows of a
 * group by a total order, aggregates per outer row, LEFT JOIN LATERAL ... ON true keeping rows
 * with nothing, an ON of its own, and a NULL outer value that must still find its rows.
 */
function lateralQuery(rng: Random): string {
  const where = rng.chance(0.5) ? ` WHERE ${predicateChain(rng, 1).replace(/\b(g|v|s|id)\b/g, 't.$1')}` : '';
  const op = rng.pick(['=', '<', '>=', '<>']);
  return rng.pick([
    () => `SELECT t.id, l.w FROM t CROSS JOIN LATERAL (SELECT w FROM u WHERE u.g ${op} t.g ORDER BY w DESC LIMIT ${rng.between(1, 3)}) l${where}`,
    () => `SELECT t.id, c.n, c.m FROM t, LATERAL (SELECT count(*) AS n, max(w) AS m FROM u WHERE u.g ${op} t.g) c${where}`,
    () => `SELECT t.id, l.x FROM t LEFT JOIN LATERAL (SELECT u.w + t.id AS x FROM u WHERE u.g = t.g AND u.w > ${rng.between(0, 110)}) l ON true${where}`,
    () => `SELECT b.id, l.id, l.v FROM b CROSS JOIN LATERAL (SELECT id, v FROM t WHERE t.g ${op} b.n ORDER BY id${rng.pick(['', ' DESC'])} LIMIT ${rng.between(1, 3)}) AS l`,
    () => `SELECT t.id, l.w FROM t JOIN LATERAL (SELECT w FROM u WHERE u.g = t.g) l ON l.w > t.id % 50${where}`,
    () => `SELECT t.id, t.g, c.n FROM t, LATERAL (SELECT count(*) AS n FROM u WHERE u.g = t.g OR t.g IS NULL) c${where}`,
    // * after a LATERAL lists its columns only, also through a later USING join.
    () => `SELECT * FROM u CROSS JOIN LATERAL (SELECT count(*) AS n FROM t WHERE t.g = u.g) l${rng.pick(['', ' FULL JOIN b ON b.id = l.n'])}`,
    // Outer columns unqualified inside (t's id; u has none).
    () => `SELECT t.id, l.x FROM t, LATERAL (SELECT w + id AS x FROM u WHERE u.g = t.g) l${where}`,
    () => `SELECT t.id, l.k FROM t LEFT JOIN LATERAL (SELECT t.s || u.w AS k FROM u WHERE u.g = t.g - 1) AS l ON l.k <> 'a1'${where}`,
  ])();
}

/**
 * Unix seconds with up to 7 decimals, past PostgreSQL's microseconds, and before 1970: its
 * timestamps round to microseconds (half to even), and year 0 is 1 BC.
 */
function fractionalTimeQuery(rng: Random): string {
  const time = (): string => `${rng.pick(['', '-'])}${rng.pick([0, 1, 59, 1_700_000_000, rng.between(0, 2_000_000_000)])}` +
    `.${String(rng.between(0, 9_999_999)).padStart(rng.between(1, 7), '0')}`;
  const field = (): string => rng.pick(['epoch', 'second', 'millisecond', 'microsecond', 'minute']);
  return rng.pick([
    () => `SELECT extract(${field()} FROM ${time()}), date_part('${field()}', ${time()})`,
    () => `SELECT to_timestamp(${time()}), to_timestamp(${rng.pick(['-62135596801', '-62167219200', '-62135596800.5', '253402300799', '1999999999.9999995'])})`,
    () => `SELECT id, extract(${field()} FROM id * ${rng.between(1, 99_999)}.${rng.between(1, 999_999)}) FROM t WHERE id < 8`,
  ])();
}

/** NUMERIC and DECIMAL, which are FLOAT here: PostgreSQL's rounding idiom and plain casts. */
function numericQuery(rng: Random): string {
  return rng.pick([
    () => `SELECT g, round(avg(v)::${rng.pick(['numeric', 'NUMERIC', 'decimal'])}, ${rng.between(0, 3)}) FROM t GROUP BY g`,
    () => `SELECT id, CAST(v AS ${rng.pick(['NUMERIC', 'DECIMAL(10, 2)', 'numeric(12,4)'])}), v::decimal * 2 FROM t WHERE id < 9`,
  ])();
}

/** Text cast to BOOLEAN: PostgreSQL's words, any case, spaces around, and their prefixes. */
function booleanCastQuery(rng: Random): string {
  const word = rng.pick(['true', 'tru', 'tr', 't', 'yes', 'ye', 'y', 'on', '1', 'false', 'fals', 'fa', 'f', 'no', 'n', 'off', 'of', '0']);
  const spelled = rng.chance(0.3) ? word.toUpperCase() : word;
  return `SELECT CAST('${rng.pick(['', ' '])}${spelled}${rng.pick(['', ' '])}' AS BOOLEAN), id FROM t WHERE id < 3`;
}

/** upper/lower of text beyond ASCII: mapped a character at a time, as PostgreSQL in a UTF-8 locale. */
function caseQuery(rng: Random): string {
  const words = ['straße', 'ÉTÉ', 'été', 'ΟΔΟΣ', 'οδος', 'Ñandú', 'ǅemal', 'Ωmega', 'ﬁle', 'µs', 'Σσς', 'plain', ''];
  const word = (): string => `'${rng.pick(words)}${rng.pick(words)}'`;
  return `SELECT upper(${word()}), lower(${word()})`;
}

/**
 * lag/lead with a negative offset, which looks the other way. Only PostgreSQL is compared:
 * sqlite3 answers some of these NULL where the row is there (it reads ahead of the rows it has).
 */
function negativeOffsetQuery(rng: Random): string {
  const value = rng.pick(['g', 'v', 's', 'id']);
  const fallback = rng.chance(0.5) ? `, ${value === 's' ? "'none'" : rng.pick(['0', 'id'])}` : '';
  const partition = rng.chance(0.5) ? `PARTITION BY ${rng.pick(['g', 's', 'id % 3'])} ` : '';
  return `SELECT id, ${rng.pick(['lag', 'lead'])}(${value}, ${rng.between(-4, -1)}${fallback}) OVER (${partition}ORDER BY ${rng.pick(['v', 's', 'g'])} NULLS FIRST, id) FROM t ORDER BY id`;
}

const NUMBER = /^[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?|Infinity|NaN)$/i;

/** A value as text both engines print alike: numbers canonical, booleans as t/f. */
function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value ? 't' : 'f';
  const text = String(value);
  return NUMBER.test(text) ? String(canonicalNumber(Number(text))) : text;
}

function rowTexts(rows: readonly (readonly unknown[])[], ordered: boolean): string[] {
  const texts = rows.map((row) => JSON.stringify(row.map(asText)));
  return ordered ? texts : texts.sort();
}

describe('results match PostgreSQL on random SELECTs', () => {
  it.skipIf(bin === undefined)(`${QUERIES} queries over the same data (seed ${SEED})`, async () => {
    const postgres = await startPostgres(bin as string);
    try {
      const rng = new Random(SEED);
      const setup = tableData(rng);
      expect(postgres.answers(setup.map(postgresTypeNames)).filter((a) => 'error' in a)).toEqual([]);
      const { session } = await newSession();
      for (const sql of setup) await session.execute(sql);
      const queries = Array.from({ length: QUERIES }, () => (rng.chance(0.1) ? orderedSetQuery(rng) : rng.chance(0.08) ? lateralQuery(rng)
        : rng.chance(0.03) ? fractionalTimeQuery(rng) : rng.chance(0.03) ? negativeOffsetQuery(rng) : rng.chance(0.02) ? caseQuery(rng) : rng.chance(0.01) ? booleanCastQuery(rng) : rng.chance(0.01) ? numericQuery(rng)
        // ORDER BY a name t.* outputs, beside a RIGHT/FULL USING column of that name (sqlite3 sorts by the latter).
        : rng.chance(0.02) ? `SELECT t.*, u.w FROM t ${rng.pick(['RIGHT', 'FULL'])} JOIN u USING (g) ORDER BY g${rng.pick(['', ' DESC'])} NULLS FIRST, id NULLS FIRST, u.w NULLS FIRST`
        : randomQuery(rng)));
      const expected = postgres.answers(queries.map(forPostgres));
      const mismatches: string[] = [];
      let compared = 0;
      for (const [q, sql] of queries.entries()) {
        const answer = expected[q];
        if (answer === undefined || 'error' in answer) continue;
        compared++;
        const ordered = outsideParentheses(sql).includes(' ORDER BY ');
        const ours = rowTexts(rowsOf(await session.execute(sql)), ordered);
        const theirs = rowTexts(answer.rows, ordered);
        if (JSON.stringify(ours) !== JSON.stringify(theirs) && mismatches.length < 8) {
          mismatches.push(`${sql}\n  ours:       ${ours.slice(0, 6).join(' ')}\n  PostgreSQL: ${theirs.slice(0, 6).join(' ')}`);
        }
      }
      expect(mismatches.join('\n')).toBe('');
      // Enough of the generator's forms are PostgreSQL's too for the comparison to mean something.
      expect(compared).toBeGreaterThan(QUERIES * 0.3);
    } finally {
      postgres.stop();
    }
  }, TIMEOUT_MS);
});

/** FLOAT sums where the order of adding shows, over every frame shape (floatSumQuery). */
describe('FLOAT sums and averages over any frame match PostgreSQL', () => {
  it.skipIf(bin === undefined)('300 drawn aggregates and frames (seed 9191)', async () => {
    const postgres = await startPostgres(bin as string);
    try {
      const rng = new Random(9191);
      const setup = floatSumData(rng);
      expect(postgres.answers(setup.map(postgresTypeNames)).filter((a) => 'error' in a)).toEqual([]);
      const { session } = await newSession();
      for (const sql of setup) await session.execute(sql);
      const queries = Array.from({ length: 300 }, () => floatSumQuery(rng, 'any'));
      const expected = postgres.answers(queries);
      for (const [q, sql] of queries.entries()) {
        const answer = expected[q];
        if (answer === undefined || 'error' in answer) throw new Error(`PostgreSQL refused ${sql}: ${JSON.stringify(answer)}`);
        expect(rowTexts(rowsOf(await session.execute(sql)), true), sql).toEqual(rowTexts(answer.rows, true));
      }
    } finally {
      postgres.stop();
    }
  }, 90_000);
});

/**
 * INT sums near int64's ends: a total inside int64 is the answer even when a sum on the way
 * left it (PostgreSQL sums bigints as numerics). Only PostgreSQL is compared: sqlite3 fails on
 * the way.
 */
describe('INT sums whose running total leaves int64 on the way match PostgreSQL', () => {
  it.skipIf(bin === undefined)('200 drawn sums (seed 9292)', async () => {
    const postgres = await startPostgres(bin as string);
    try {
      const rng = new Random(9292);
      const values = ['9223372036854775807', '-9223372036854775807', '-9223372036854775808', '4611686018427387904', '1', '-1', '0', 'NULL'];
      const rows = Array.from({ length: 12 }, (_, i) => `(${i + 1}, ${rng.pick(values)})`);
      const setup = ['CREATE TABLE m (id INT PRIMARY KEY, n INT)', `INSERT INTO m VALUES ${rows.join(', ')}`];
      expect(postgres.answers(setup.map(postgresTypeNames)).filter((a) => 'error' in a)).toEqual([]);
      const { session } = await newSession();
      for (const sql of setup) await session.execute(sql);
      const queries = Array.from({ length: 200 }, () => (rng.chance(0.6)
        ? `SELECT sum(n) FROM m WHERE id % ${rng.between(1, 5)} ${rng.pick(['=', '<>'])} ${rng.between(0, 2)}`
        : `SELECT id, sum(n) OVER (ORDER BY id ${rng.pick(['', 'DESC'])} ROWS BETWEEN ${rng.between(0, 3)} PRECEDING AND CURRENT ROW) FROM m ORDER BY id`));
      const expected = postgres.answers(queries.map(forPostgres));
      let answered = 0;
      for (const [q, sql] of queries.entries()) {
        const answer = expected[q];
        const ours = await session.execute(sql).then((result) => rowTexts(rowsOf(result), true), (error: unknown) => ({ error: String(error) }));
        if (answer === undefined || 'error' in answer) {
          // PostgreSQL's numeric total did not fit a bigint: ours is an INT overflow.
          expect(ours, sql).toMatchObject({ error: expect.stringContaining('INT overflow') });
          continue;
        }
        answered += 1;
        if (!Array.isArray(ours)) {
          // A window's frame total outside int64 is an INT overflow here, a numeric there.
          const totals = answer.rows.flat().map((value) => Math.abs(Number(value)));
          expect(Math.max(...totals), `${sql}: ${JSON.stringify(ours)}`).toBeGreaterThan(9.2e18);
          continue;
        }
        expect(ours, sql).toEqual(rowTexts(answer.rows, true));
      }
      expect(answered).toBeGreaterThan(50);
    } finally {
      postgres.stop();
    }
  }, 90_000);
});

