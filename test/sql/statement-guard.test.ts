import { describe, expect, it } from 'vitest';
import { QUERY_DEPTH_MAX, StatementGuard, TEXT_HELD_MAX } from '../../src/sql/statement-guard.js';
import { expectError, newSession, rowsOf } from './support.js';

describe('StatementGuard.nested', () => {
  it('ends a statement whose queries nest past the limit, and counts only the levels still open', async () => {
    const guard = new StatementGuard();
    const descend = async (levels: number): Promise<number> =>
      levels === 0 ? 0 : guard.nested(async () => 1 + await descend(levels - 1));
    expect(await descend(QUERY_DEPTH_MAX)).toBe(QUERY_DEPTH_MAX);
    // The levels above were left: the same depth again fits.
    expect(await descend(QUERY_DEPTH_MAX)).toBe(QUERY_DEPTH_MAX);
    await expect(descend(QUERY_DEPTH_MAX + 1)).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED', message: expect.stringMatching(/more than 1000 queries deep/) as unknown,
    });
  });
});

describe('StatementGuard.step', () => {
  const spin = (ms: number): void => {
    const until = performance.now() + ms;
    while (performance.now() < until) { /* a costly row */ }
  };

  it('asks for a pause within a few costly units, where a fixed 1,024 units once held the loop for seconds', () => {
    const guard = new StatementGuard();
    let units = 0;
    do {
      spin(2);
      units += 1;
    } while (!guard.step() && units < 100);
    expect(units).toBeLessThanOrEqual(4);
  });

  it('pauses about once per slice while units are cheap', async () => {
    const guard = new StatementGuard();
    let paused = 0;
    const began = performance.now();
    for (let i = 0; i < 2_000_000; i += 1) {
      if (guard.step()) {
        paused += 1;
        await guard.pause();
      }
    }
    // Slices of about 4 ms: never more pauses than that allows.
    expect(paused).toBeGreaterThan(0);
    expect(paused).toBeLessThanOrEqual(Math.ceil((performance.now() - began) / 4) + 1);
  });
});

describe('text held in result rows', () => {
  it('ends a query, and an INSERT ... SELECT on every replica alike, past TEXT_HELD_MAX characters', async () => {
    const { session } = await newSession();
    await session.execute('CREATE TABLE big (id INT PRIMARY KEY, s STRING)');
    // 20 rows of 16 Mi characters each: far under the row caps, past the text one (256 Mi).
    const rows = "SELECT g, lpad(CAST(g AS STRING), 16000000, 'x') FROM generate_series(1, 20) g";
    await expectError(session, `INSERT INTO big ${rows}`, 'LIMIT_EXCEEDED', /rows hold more than 268435456 characters of text/);
    await expectError(session, `${rows} ORDER BY 2`, 'LIMIT_EXCEEDED', /rows hold more than 268435456 characters of text/);
    expect(rowsOf(await session.execute('SELECT count(*) FROM big'))).toEqual([[0]]);
    expect(rowsOf(await session.execute("SELECT sum(length(lpad('a', 16000000, 'x'))) FROM generate_series(1, 20)"))).toEqual([[320_000_000]]);
    expect(TEXT_HELD_MAX).toBe(268_435_456);
  });
});
