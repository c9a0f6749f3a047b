import { describe, expect, it } from 'vitest';
import { TurnQueue } from '../../src/lib/turn-queue.js';

/** Resolves after the event loop has run one more check phase. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('TurnQueue', () => {
  it('runs jobs in order, a budget of them per turn, letting other work run between turns', async () => {
    let nowMs = 0;
    const queue = new TurnQueue(4, { nowMs: () => nowMs });
    const events: string[] = [];
    // Each job costs 3 ms of the fake clock: two fit in a 4 ms turn (the second starts at 3).
    const results = [1, 2, 3, 4, 5].map((n) => queue.run(() => {
      events.push(`job${n}`);
      nowMs += 3;
      return n * 10;
    }));
    expect(queue.waiting).toBe(5);
    // Work queued by others for the next turns interleaves with the queue's turns.
    const marks = (async () => {
      for (let turn = 1; turn <= 3; turn += 1) {
        await nextTurn();
        events.push(`other${turn}`);
      }
    })();
    expect(await Promise.all(results)).toEqual([10, 20, 30, 40, 50]);
    await marks;
    expect(events.filter((event) => event.startsWith('job'))).toEqual(['job1', 'job2', 'job3', 'job4', 'job5']);
    // No turn ran more than two jobs back to back.
    const runs = events.join(' ').split(/ ?other\d ?/).map((run) => run.split(' ').filter(Boolean).length);
    expect(Math.max(...runs)).toBeLessThanOrEqual(2);
    expect(events.some((event) => event.startsWith('other'))).toBe(true);
  });

  it('rejects with what the job threw and goes on with the next', async () => {
    const queue = new TurnQueue(4);
    const failed = queue.run(() => {
      throw new Error('bad body');
    });
    const next = queue.run(() => 'ok');
    await expect(failed).rejects.toThrow('bad body');
    await expect(next).resolves.toBe('ok');
  });
});
