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
});
