import { describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/random.js';
import { StatementGuard } from '../../src/sql/statement-guard.js';
import { sortYielding } from '../../src/sql/yielding-sort.js';

/** Counts the pauses a sort took. */
class CountingGuard extends StatementGuard {
  pauses = 0;
  override async pause(): Promise<void> {
    this.pauses += 1;
    await super.pause();
  }
}

describe('sortYielding', () => {
  it('sorts as Array.prototype.sort does, ties in their original order', async () => {
    const random = new Random(5);
    for (const length of [0, 1, 2, 2_047, 2_048, 2_049, 10_000, 33_333]) {
      const rows = Array.from({ length }, (_, at) => ({ key: random.int(50), at }));
      const byKey = (a: { key: number }, b: { key: number }): number => a.key - b.key;
      expect(await sortYielding(rows, byKey, new StatementGuard())).toEqual([...rows].sort(byKey));
    }
  });

  it('pauses between slices of a large sort and stops there when cancelled', async () => {
    const random = new Random(6);
    const rows = Array.from({ length: 300_000 }, () => random.int(1_000_000));
    const guard = new CountingGuard();
    const sorted = await sortYielding(rows, (a, b) => a - b, guard);
    expect(sorted.every((v, i) => i === 0 || (sorted[i - 1] as number) <= v)).toBe(true);
    expect(guard.pauses).toBeGreaterThan(0);
    const controller = new AbortController();
    controller.abort();
    await expect(sortYielding(rows, (a, b) => a - b, new StatementGuard(
      { signal: controller.signal, timeoutMs: Infinity, maxMaterializedRows: Infinity },
    ))).rejects.toThrow(/cancelled/);
  });

  it('sizes its runs by their cost: costly comparisons do not run thousands at a time', async () => {
    // Each comparison costs ~0.1 ms, as two 100,000-character keys sharing a prefix do. One
    // run of 2,048 rows made ~20,000 of them in one call to Array.prototype.sort.
    const costly = (a: number, b: number): number => {
      const until = performance.now() + 0.1;
      while (performance.now() < until) { /* the cost of comparing long keys */ }
      return a - b;
    };
    let sinceResume = 0;
    let most = 0;
    class ComparingGuard extends StatementGuard {
      override async pause(): Promise<void> {
        most = Math.max(most, sinceResume);
        await super.pause();
        sinceResume = 0;
      }
    }
    const random = new Random(7);
    const rows = Array.from({ length: 2_000 }, () => random.int(1_000_000));
    const sorted = await sortYielding(rows, (a, b) => {
      sinceResume += 1;
      return costly(a, b);
    }, new ComparingGuard());
    most = Math.max(most, sinceResume);
    expect(sorted).toEqual([...rows].sort((a, b) => a - b));
    expect(most).toBeLessThan(2_000);
  }, 30_000);
});
