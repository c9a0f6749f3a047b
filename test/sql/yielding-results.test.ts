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
