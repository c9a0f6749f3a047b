import { describe, expect, it } from 'vitest';
import type { Scheduler } from '../../src/lib/index.js';
import { HELD_ENTRIES_MAX, HELD_MS_MAX, HeldApplies } from '../../src/node/held-applies.js';
import type { Entry } from '../../src/raft/index.js';

/** A scheduler whose timers run only when the test advances its clock. */
class ManualScheduler implements Scheduler {
  nowMs = 0;
  readonly #timers: Array<{ at: number; work: () => void; cancelled: boolean }> = [];

  after(ms: number, work: () => void): { cancel: () => void } {
    const timer = { at: this.nowMs + ms, work, cancelled: false };
    this.#timers.push(timer);
    return { cancel: () => { timer.cancelled = true; } };
  }
  every(): { cancel: () => void } {
    throw new Error('not used');
  }
  defer(work: () => void): void {
    work();
  }
  sleep(): Promise<void> {
    return Promise.resolve();
  }
  monotonicMs(): number {
    return this.nowMs;
  }
  advance(ms: number): void {
    this.nowMs += ms;
    for (const timer of this.#timers.splice(0)) {
      if (timer.cancelled) continue;
      if (timer.at <= this.nowMs) timer.work();
      else this.#timers.push(timer);
    }
  }
  get live(): number {
    return this.#timers.filter((timer) => !timer.cancelled).length;
  }
}

function entries(from: number, count: number): Entry[] {
  return Array.from({ length: count }, (_, i) => ({ index: from + i, term: 1, type: 'command' as const, data: new Uint8Array(0) }));
}

function setUp(): { scheduler: ManualScheduler; held: HeldApplies; applied: number[][] } {
  const scheduler = new ManualScheduler();
  const applied: number[][] = [];
  const held = new HeldApplies(scheduler, (batch) => applied.push(batch.map((entry) => entry.index)));
  return { scheduler, held, applied };
}

describe('HeldApplies', () => {
  it('applies held entries together once the hold time runs out, in order', () => {
    const { scheduler, held, applied } = setUp();
    held.add(entries(1, 1), true);
    scheduler.advance(HELD_MS_MAX - 1);
    held.add(entries(2, 2), true);
    expect(applied).toEqual([]);
    scheduler.advance(1);
    expect(applied).toEqual([[1, 2, 3]]);
    expect(held.size).toBe(0);
  });

  it('lets go at once when full, when asked, or when entries may not be held, keeping the order', () => {
    const { scheduler, held, applied } = setUp();
    held.add(entries(1, HELD_ENTRIES_MAX), true);
    expect(applied).toEqual([entries(1, HELD_ENTRIES_MAX).map((entry) => entry.index)]);
    held.add(entries(65, 2), true);
    held.add(entries(67, 1), false);
    expect(applied.slice(1)).toEqual([[65, 66], [67]]);
    held.add(entries(68, 1), true);
    held.flush();
    expect(applied.at(-1)).toEqual([68]);
    expect(scheduler.live).toBe(0);
  });

  it('forgets what it holds when dropped, and no timer fires later', () => {
    const { scheduler, held, applied } = setUp();
    held.add(entries(1, 3), true);
    held.drop();
    scheduler.advance(HELD_MS_MAX * 2);
    expect(applied).toEqual([]);
    expect(held.size).toBe(0);
  });
});
