import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isChronosError, Random } from '../../src/lib/index.js';
import type { Session } from '../../src/sql/session.js';
import type { LayoutOptions } from '../../src/storage/index.js';
import { canonical, outsideParentheses, tableData } from './compare-data.js';
import { floatSumData, floatSumQuery, forSqlite, randomQuery } from './sqlite-queries.js';
import { newSession, rowsOf } from './support.js';

// CHRONOS_SQLITE_QUERIES / CHRONOS_SQLITE_SEED run more (or other) queries, e.g. 100000 locally.
const QUERIES = Number(process.env['CHRONOS_SQLITE_QUERIES'] ?? 3000);
const SEED = Number(process.env['CHRONOS_SQLITE_SEED'] ?? 424242);
/** A run of many queries gets the time it needs (15,000 took ~66 s on a columnar run here). */
const TIMEOUT_MS = Math.max(60_000, QUERIES * 20);
const hasSqlite = spawnSync('sqlite3', ['-version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'chronos-sql-cmp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Between two queries' outputs sqlite prints this row, so one process answers them all. */
const MARKER_SQL = "SELECT '~~'";
const MARKER_LINE = "'~~'";

/** One value of sqlite3's `-quote` output. */
function quotedValue(text: string): unknown {
  if (text === 'NULL') return null;
  if (text.startsWith("'")) return text.slice(1, -1).replaceAll("''", "'");
  return Number(text);
}

/** A row of sqlite3's `-quote` output: values split at the commas outside quotes (string_agg joins with them). */
function quotedRow(line: string): unknown[] {
  const values = line.match(/'(?:[^']|'')*'|[^,]+/g) ?? [];
  return values.map(quotedValue);
}

/** Every query's rows as sqlite3 answers them, from one sqlite3 process. */
function sqliteAnswers(db: string, queries: readonly string[]): unknown[][][] {
  const script = queries.map((q) => `${forSqlite(q)};\n${MARKER_SQL};\n`).join('');
  const out = execFileSync('sqlite3', ['-bail', '-quote', '-cmd', 'PRAGMA case_sensitive_like=ON', db], {
    input: script, maxBuffer: 1 << 30,
  }).toString();
  const answers: unknown[][][] = [[]];
  for (const line of out.split('\n')) {
    if (line === MARKER_LINE) answers.push([]);
    else if (line !== '') (answers[answers.length - 1] as unknown[][]).push(quotedRow(line));
  }
  expect(answers.length).toBe(queries.length + 1);
  return answers.slice(0, -1);
}

/** A query that runs has a plan too: EXPLAIN of it answers, or refuses a form it names. */
async function expectExplainable(session: Session, sql: string): Promise<void> {
  try {
    expect(rowsOf(await session.execute(`EXPLAIN ${sql}`)).length, sql).toBeGreaterThan(0);
  } catch (error) {
    if (!isChronosError(error, 'UNSUPPORTED')) throw new Error(`EXPLAIN ${sql}: ${String(error)}`);
  }
}

/** Small blocks and head, so 150 rows are folded into many column blocks and a head. */
const SMALL_BLOCKS: LayoutOptions = { blockRows: 8, headEntriesMax: 16, newTables: 'row' };

/** Runs `count` random queries from `seed` on our engine and on sqlite3 and compares them. */
async function compareWithSqlite(count: number, seed: number, layout: 'row' | 'columnar'): Promise<void> {
  const rng = new Random(seed);
  const setup = tableData(rng);
  const { session } = await newSession(undefined, layout === 'columnar' ? SMALL_BLOCKS : undefined);
  for (const sql of setup) {
    await session.execute(layout === 'columnar' && sql.startsWith('CREATE TABLE') ? `${sql} WITH (layout = 'columnar')` : sql);
  }
  if (layout === 'columnar') expect(rowsOf(await session.execute('SHOW TABLES')).map((r) => r[4])).toEqual([layout, layout, layout]);
  const db = join(dir, `cmp-${layout}.db`);
  execFileSync('sqlite3', [db], { input: `${setup.map((s) => s.replace('STRING', 'TEXT')).join(';\n')};\n` });
  const queries = Array.from({ length: count }, () => randomQuery(rng));
  const expected = sqliteAnswers(db, queries);
  let nonEmpty = 0;
  for (const [q, sql] of queries.entries()) {
    const ours = rowsOf(await session.execute(sql));
    // The query's own ORDER BY ends in the unique id, so the order itself is compared.
    const ordered = outsideParentheses(sql).includes(' ORDER BY ');
    const mine = canonical(ours, ordered);
    expect(mine, sql).toEqual(canonical(expected[q] ?? [], ordered));
    if (mine.length > 0) nonEmpty++;
    await expectExplainable(session, sql);
  }
  expect(nonEmpty).toBeGreaterThan(count / 2);
}

describe('results match sqlite3 on random SELECTs', () => {
  it.skipIf(!hasSqlite)(`${QUERIES} queries over the same data (seed ${SEED})`, async () => {
    await compareWithSqlite(QUERIES, SEED, 'row');
  }, TIMEOUT_MS);

  // The same generator over tables created WITH (layout = 'columnar'): both layouts answer alike.
  it.skipIf(!hasSqlite)(`${Math.ceil(QUERIES / 2)} queries over columnar tables (seed ${SEED + 1})`, async () => {
    await compareWithSqlite(Math.ceil(QUERIES / 2), SEED + 1, 'columnar');
  }, TIMEOUT_MS);
});

/**
 * FLOAT sums where the order of adding shows (floatSumData). sqlite3 adds in row order, as we
 * do, for whole-table aggregates and frames that start at the partition's start; its moving
 * frames take leaving rows back out (PostgreSQL's and ours add each frame afresh), so those are
 * compared with PostgreSQL.
 */
describe('FLOAT sums and averages add in row order, as sqlite3 adds them', () => {
  it.skipIf(!hasSqlite)('300 drawn aggregates and running sums (seed 9090)', async () => {
    const rng = new Random(9090);
    const setup = floatSumData(rng);
    const { session } = await newSession();
    for (const sql of setup) await session.execute(sql);
    const db = join(dir, 'float-sums.db');
    execFileSync('sqlite3', [db], { input: `${setup.join(';\n')};\n` });
    const queries = Array.from({ length: 300 }, () => floatSumQuery(rng, 'from the start'));
    const expected = sqliteAnswers(db, queries);
    for (const [q, sql] of queries.entries()) {
      expect(canonical(rowsOf(await session.execute(sql)), true), sql).toEqual(canonical(expected[q] ?? [], true));
    }
  }, 60_000);
});

