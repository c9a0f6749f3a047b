import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/index.js';
import { BackgroundCompaction } from '../../src/node/background-compaction.js';
import { SimScheduler } from '../../src/sim/sim-scheduler.js';
import type { CompactionStepOutcome } from '../../src/storage/index.js';

/** A table read in passes of three windows; `mergeable` blocks go away during the next pass. */
class FakeTable {
  steps = 0;
  mergeable = 0;
  /** Passes that end with garbage left to sweep. */
  unswept = 0;
  #window = 0;

  step(): Promise<CompactionStepOutcome> {
    this.steps += 1;
    this.#window = (this.#window + 1) % 3;
    const blocksRemoved = Math.min(this.mergeable, 4);
    this.mergeable -= blocksRemoved;
    const passEnded = this.#window === 0;
    const sweepPending = passEnded && this.unswept > 0;
    if (sweepPending) this.unswept -= 1;
    return Promise.resolve({ blocksRead: 32, blocksRemoved, passEnded, sweepPending });
  }
}

describe('BackgroundCompaction', () => {
  it('goes through a pass quickly, and reads nothing more once a pass merged nothing until a write', async () => {
    const scheduler = new SimScheduler();
    const table = new FakeTable();
    table.mergeable = 10;
    let writeMark = 1;
    const compaction = new BackgroundCompaction(() => table.step(), silentLogger, scheduler.forOwner({ alive: true }),
      scheduler, () => writeMark);
    compaction.start();
    expect(compaction.settled).toBe(false);
    // First step after a second; a pass of three windows 10 ms apart.
    await scheduler.runUntil(1_025);
    expect(table.steps).toBe(3);
    // 10 blocks: three passes merge them (4 + 4 + 2 ... across windows), one more finds nothing.
    await scheduler.runUntil(30_000);
    expect(compaction.blocksRemoved).toBe(10);
    const settled = table.steps;
    expect(settled).toBeLessThanOrEqual(12);
    await scheduler.runUntil(120_000);
    expect(table.steps).toBe(settled);
    expect(compaction.settled).toBe(true);
    // A write: one pass reads the table again (and finds nothing: it settles again).
    writeMark += 1;
    expect(compaction.settled).toBe(false);
    await scheduler.runUntil(125_000);
    expect(table.steps).toBe(settled + 3);
    await scheduler.runUntil(200_000);
    expect(table.steps).toBe(settled + 3);
    expect(compaction.settled).toBe(true);
    await compaction.stop();
  });

  it('does not settle while a pass leaves garbage to sweep', async () => {
    const scheduler = new SimScheduler();
    const table = new FakeTable();
    table.unswept = 2;
    const compaction = new BackgroundCompaction(() => table.step(), silentLogger, scheduler.forOwner({ alive: true }),
      scheduler, () => 1);
    compaction.start();
    await scheduler.runUntil(60_000);
    // Two passes left garbage, the third found nothing: three passes of three windows.
    expect(table.steps).toBe(9);
    expect(compaction.settled).toBe(true);
    await compaction.stop();
  });

  it('pauses at least three times a long step between steps, so it takes a quarter of the time at most', async () => {
    const scheduler = new SimScheduler();
    const owner = scheduler.forOwner({ alive: true });
    const starts: number[] = [];
    const step = (): Promise<CompactionStepOutcome> => {
      starts.push(scheduler.nowMs());
      return new Promise((resolve) => owner.after(100, () => resolve({ blocksRead: 0, blocksRemoved: 0, passEnded: false, sweepPending: true })));
    };
    const compaction = new BackgroundCompaction(step, silentLogger, owner, scheduler, () => 1);
    compaction.start();
    await scheduler.runUntil(5_000);
    const gaps = starts.slice(1).map((at, i) => at - (starts[i] as number));
    expect(gaps.length).toBeGreaterThan(5);
    for (const gap of gaps) expect(gap).toBe(400);
    // The step under way ends on the fake clock.
    const stopped = compaction.stop();
    await scheduler.runUntil(6_000);
    await stopped;
  });
});
