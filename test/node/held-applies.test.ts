import { describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/index.js';
import { HELD_ENTRIES_MAX, HELD_MS_MAX, HeldApplies } from '../../src/node/held-applies.js';
import type { Entry } from '../../src/raft/index.js';
import { SimScheduler } from '../../src/sim/sim-scheduler.js';

function entries(from: number, count: number): Entry[] {
  return Array.from({ length: count }, (_, i) => ({ index: from + i, term: 1, type: 'command' as const, data: new Uint8Array(0) }));
}

function setUp(): { clock: SimScheduler; held: HeldApplies; applied: number[][] } {
  const clock = new SimScheduler();
  const applied: number[][] = [];
  const held = new HeldApplies(clock.forOwner({ alive: true }), (batch) => applied.push(batch.map((entry) => entry.index)));
  return { clock, held, applied };
}

/** Moves simulated time forward by `ms`, running the timers due. */
async function advance(clock: SimScheduler, ms: number): Promise<void> {
  await clock.runUntil(clock.elapsedMs + ms);
}

describe('HeldApplies', () => {
  it('applies held entries together once the hold time runs out, in order', async () => {
    const { clock, held, applied } = setUp();
    held.add(entries(1, 1), true);
    await advance(clock, HELD_MS_MAX - 1);
    held.add(entries(2, 2), true);
    expect(applied).toEqual([]);
    await advance(clock, 1);
    expect(applied).toEqual([[1, 2, 3]]);
    expect(held.size).toBe(0);
  });

  it('lets go at once when full, when asked, or when entries may not be held, keeping the order', async () => {
    const { clock, held, applied } = setUp();
    held.add(entries(1, HELD_ENTRIES_MAX), true);
    expect(applied).toEqual([entries(1, HELD_ENTRIES_MAX).map((entry) => entry.index)]);
    held.add(entries(65, 2), true);
    held.add(entries(67, 1), false);
    expect(applied.slice(1)).toEqual([[65, 66], [67]]);
    held.add(entries(68, 1), true);
    held.flush();
    expect(applied.at(-1)).toEqual([68]);
    // The flushed hold's timer is gone: a new hold runs its own full time.
    await advance(clock, HELD_MS_MAX - 1);
    held.add(entries(69, 1), true);
    await advance(clock, HELD_MS_MAX - 1);
    expect(applied.at(-1)).toEqual([68]);
    await advance(clock, 1);
    expect(applied.at(-1)).toEqual([69]);
  });

  it('forgets what it holds when dropped, and no timer fires later', async () => {
    const { clock, held, applied } = setUp();
    held.add(entries(1, 3), true);
    held.drop();
    await advance(clock, HELD_MS_MAX * 2);
    expect(applied).toEqual([]);
    expect(held.size).toBe(0);
  });
});

describe('HeldApplies over drawn histories', () => {
  it('applies every entry once, in order, never holding one past its time or beyond the cap', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const random = new Random(seed);
      const { clock, held, applied } = setUp();
      const heldSince = new Map<number, number>();
      let next = 1;
      for (let step = 0; step < 60; step++) {
        const roll = random.int(10);
        if (roll < 6) {
          const count = 1 + random.int(random.int(4) === 0 ? HELD_ENTRIES_MAX : 4);
          for (let i = 0; i < count; i++) heldSince.set(next + i, clock.elapsedMs);
          held.add(entries(next, count), random.int(4) !== 0);
          next += count;
        } else if (roll < 7) {
          held.flush();
        } else {
          await advance(clock, random.int(HELD_MS_MAX + 5));
        }
        const appliedIndexes = applied.flat();
        for (const index of heldSince.keys()) {
          if (appliedIndexes.includes(index)) heldSince.delete(index);
          else expect([seed, index, clock.elapsedMs - (heldSince.get(index) ?? 0) <= HELD_MS_MAX]).toEqual([seed, index, true]);
        }
        expect([seed, held.size <= HELD_ENTRIES_MAX]).toEqual([seed, true]);
      }
      held.flush();
      expect([seed, applied.flat()]).toEqual([seed, Array.from({ length: next - 1 }, (_, i) => i + 1)]);
    }
  });
});
