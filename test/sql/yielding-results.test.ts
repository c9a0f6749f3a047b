import { describe, expect, it } from 'vitest';
import type { Row } from '../../src/storage/index.js';
import { accumulatorFactory } from '../../src/sql/aggregate.js';
import type { SelectStatement } from '../../src/sql/ast.js';
import { DONE, GroupAggregator } from '../../src/sql/group-aggregator.js';
import { parseStatement } from '../../src/sql/parse.js';
import { Scope } from '../../src/sql/scope.js';
import { StatementGuard } from '../../src/sql/statement-guard.js';
import { WindowStep, windowsOf } from '../../src/sql/window.js';
import { newSession, rowsOf } from './support.js';
import { executeRead } from '../../src/sql/execute.js';
import { isChronosError } from '../../src/lib/index.js';

const ROWS = 200_000;

/** A guard whose statement was cancelled: the first pause it reaches ends the statement. */
function cancelledGuard(): StatementGuard {
  const controller = new AbortController();
  controller.abort();
  return new StatementGuard({ signal: controller.signal, timeoutMs: Infinity, maxMaterializedRows: Infinity });
}

// A pass over a million rows takes 0.1-1.7 s; each must pause through the guard, or Raft's
// heartbeats wait. A cancelled guard shows it: the pass stops at its first pause.
describe('passes over all rows after the scan pause through the statement guard', () => {
  it('builds the rows of many groups a group at a time', async () => {
    const count = { key: 'c', arg: null, table: 0, second: null, orderKeys: [], filter: null, make: accumulatorFactory('count', null, false, 0), held: { count: 0 } };
    const aggregator = new GroupAggregator([(row) => row[0] ?? null], [count], null);
    const rows: Row[] = Array.from({ length: ROWS }, (_, i) => [i]);
    const guard = new StatementGuard();
    const times = new Array<number>(ROWS).fill(0);
    for (let from = 0; from !== DONE;) {
      from = aggregator.addBatch(rows, times, 1, guard, from);
      if (from !== DONE) await guard.pause();
    }
    expect(await aggregator.results(guard)).toHaveLength(ROWS);
    await expect(aggregator.results(cancelledGuard())).rejects.toThrow(/cancelled/);
  });

  // (The sort between these passes paused before too, so this one checks the answer and the
  // stop, not which pass stopped.)
  it('partitions, orders and appends window values, and stops when cancelled', async () => {
    const { session, engine } = await newSession();
    await session.execute('CREATE TABLE t (id INT PRIMARY KEY, g INT)');
    const schema = engine.catalog.table('t');
    expect(schema).toBeDefined();
    const scope = new Scope();
    scope.addTable(schema as NonNullable<typeof schema>, null);
    const statement = parseStatement('SELECT id, row_number() OVER (PARTITION BY g ORDER BY id DESC) FROM t') as SelectStatement;
    const step = new WindowStep(windowsOf(statement), { scope, nowMs: 0 }, scope.width, 0);
    const rows: Row[] = Array.from({ length: ROWS }, (_, i) => [i, i % 3]);
    const numbered = await step.apply(rows, new StatementGuard());
    expect(numbered[ROWS - 1]).toEqual([ROWS - 1, (ROWS - 1) % 3, 1]);
    await expect(step.apply(rows, cancelledGuard())).rejects.toThrow(/cancelled/);
  });
});

describe('UPDATE and DELETE over many rows', () => {
  it('let the event loop turn while they run (a 500,000-row UPDATE held it for 25 s on every replica)', async () => {
    const { session } = await newSession();
    await session.execute('CREATE TABLE u (id INT PRIMARY KEY, s STRING)');
    await session.execute("INSERT INTO u SELECT g, 'v' || g FROM generate_series(1, 50000) g");
    for (const sql of ["UPDATE u SET s = s || 'x'", 'DELETE FROM u WHERE id > 25000']) {
      let turns = 0;
      const timer = setInterval(() => { turns += 1; }, 1);
      await session.execute(sql);
      clearInterval(timer);
      // Each statement takes hundreds of ms; run without yielding, no interval would fire.
      expect(turns, sql).toBeGreaterThan(3);
    }
    expect(rowsOf(await session.execute("SELECT count(*), min(s) FROM u"))).toEqual([[25000, 'v10000x']]);
  });
});

describe('a GROUP BY whose WHERE costs milliseconds a row', () => {
  it('pauses between rows, not only between scan batches (60 rows held a node 21 s)', async () => {
    const { session } = await newSession();
    await session.execute('CREATE TABLE w (id INT PRIMARY KEY, g INT, s TEXT)');
    await session.execute("INSERT INTO w SELECT g, g % 3, repeat('a', 200000) FROM generate_series(1, 40) g");
    let turns = 0;
    const timer = setInterval(() => { turns += 1; }, 1);
    const result = await session.execute("SELECT g, count(*) FROM w WHERE length(replace(s, 'a', 'bb')) > 0 GROUP BY g ORDER BY g");
    clearInterval(timer);
    expect(rowsOf(result)).toEqual([[0, 13], [1, 14], [2, 13]]);
    // All 40 rows come in one scan batch; each row's WHERE takes a slice or more.
    expect(turns).toBeGreaterThan(10);
  });
});

/** Turns of the event loop while `run` runs (a timer due every millisecond counts them). */
async function turnsDuring(run: () => Promise<unknown>): Promise<number> {
  let turns = 0;
  const timer = setInterval(() => { turns += 1; }, 1);
  try {
    await run();
  } finally {
    clearInterval(timer);
  }
  return turns;
}

// Each query below costs ~1-3 ms a row in strings built late, after many cheap units of work:
// found holding a node's loop 11-20 s and passing its statement timeout.
describe('rows whose expressions build long strings pause where they are evaluated', () => {
  const costly = (x: string): string => `length(replace(repeat(${x}, 50000), 'a', 'xy'))`;

  it('after thousands of cheap rows in the same slice (a WHERE that cheap rows settle early)', async () => {
    const { session } = await newSession();
    const sql = `SELECT count(*) FROM generate_series(1, 5200) g WHERE g > 5000 AND ${costly("'ab' || g % 2")} > 0`;
    let result: unknown;
    expect(await turnsDuring(async () => { result = await session.execute(sql); })).toBeGreaterThan(20);
    expect(rowsOf(result as Awaited<ReturnType<typeof session.execute>>)).toEqual([[200]]);
  });

  it('in a window function\'s argument, and in a join key that matches nothing', async () => {
    const { session } = await newSession();
    await session.execute('CREATE TABLE c (id INT PRIMARY KEY, v STRING)');
    await session.execute("INSERT INTO c SELECT g, 'ab' FROM generate_series(1, 200) g");
    await session.execute('CREATE TABLE k (n INT PRIMARY KEY)');
    await session.execute('INSERT INTO k VALUES (-1)');
    for (const sql of [
      `SELECT count(x) FROM (SELECT lag(${costly('v')}) OVER (ORDER BY id) AS x FROM c) d`,
      `SELECT max(x) FROM (SELECT sum(${costly('v')}) OVER (ORDER BY id) AS x FROM c) d`,
      `SELECT count(*) FROM c JOIN k ON k.n = ${costly('c.v')}`,
    ]) {
      expect(await turnsDuring(() => session.execute(sql)), sql).toBeGreaterThan(20);
    }
  });
});

describe('a UNION ALL holds its sides together under the row cap', () => {
  it('ends with LIMIT_EXCEEDED when the sides together pass it, each within it', async () => {
    const { engine } = await newSession();
    const txn = await engine.begin();
    try {
      const limits = { timeoutMs: Infinity, maxMaterializedRows: 1000 };
      const sides = (n: number): string => Array.from({ length: n }, () => 'SELECT g FROM generate_series(1, 400) g').join(' UNION ALL ');
      await expect(executeRead(`${sides(2)} ORDER BY 1`, txn, 0, limits)).resolves.toBeDefined();
      const error: unknown = await executeRead(`${sides(3)} ORDER BY 1`, txn, 0, limits).catch((e: unknown) => e);
      expect(isChronosError(error, 'LIMIT_EXCEEDED'), String(error)).toBe(true);
      expect((error as Error).message).toMatch(/^the rows of UNION ALL holds more than 1000 rows/);
    } finally {
      await txn.rollback();
    }
  });
});


describe('an UPDATE holds its rewritten rows under the text cap', () => {
  it('ends with LIMIT_EXCEEDED past 256 Mi characters, changing nothing (300 rows once crashed every replay)', async () => {
    const { session } = await newSession();
    await session.execute('CREATE TABLE grow (id INT PRIMARY KEY, d STRING)');
    await session.execute("INSERT INTO grow SELECT g, 'a' FROM generate_series(1, 20) g");
    const error = await session.execute("UPDATE grow SET d = lpad(CAST(id AS TEXT), 16000000, 'y')").then(() => null, (e: unknown) => e);
    expect(isChronosError(error, 'LIMIT_EXCEEDED'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/update fewer rows .*nothing was changed/);
    expect(rowsOf(await session.execute('SELECT count(*), max(length(d)) FROM grow'))).toEqual([[20, 1]]);
    // Under the cap it is applied.
    await session.execute("UPDATE grow SET d = lpad(CAST(id AS TEXT), 1000000, 'y') WHERE id <= 3");
    expect(rowsOf(await session.execute('SELECT max(length(d)) FROM grow'))).toEqual([[1000000]]);
  });
});

describe('sort and DISTINCT ON keys outside the select list count as held text', () => {
  it.each([
    "SELECT g FROM generate_series(1, 20) g ORDER BY lpad(CAST(g AS TEXT), 16000000, 'x') LIMIT 3",
    "SELECT DISTINCT ON (lpad(CAST(g AS TEXT), 16000000, 'x')) g FROM generate_series(1, 20) g",
  ])('%s ends with LIMIT_EXCEEDED', async (sql) => {
    const { session } = await newSession();
    const error = await session.execute(sql).then(() => null, (e: unknown) => e);
    expect(isChronosError(error, 'LIMIT_EXCEEDED'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/hold more than 268435456 characters of text/);
  });
});
