import { describe, expect, it } from 'vitest';
import { AnswerPacer, systemScheduler } from '../../src/lib/index.js';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('AnswerPacer', () => {
  it('releases a few answers per event-loop turn, in order, and all of them in the end', async () => {
    const pacer = new AnswerPacer(systemScheduler, 3);
    const released: number[] = [];
    for (let i = 0; i < 8; i++) pacer.release(() => released.push(i));
    expect(released).toEqual([0, 1, 2]);
    await turn();
    expect(released).toEqual([0, 1, 2, 3, 4, 5]);
    await turn();
    expect(released).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('starts each turn with a fresh share, and never answers out of order behind a queue', async () => {
    const pacer = new AnswerPacer(systemScheduler, 2);
    const released: string[] = [];
    for (const name of ['a', 'b', 'c']) pacer.release(() => released.push(name));
    await turn();
    // This turn already released 'c': one more fits, the next waits.
    pacer.release(() => released.push('d'));
    pacer.release(() => released.push('e'));
    expect(released).toEqual(['a', 'b', 'c', 'd']);
    await turn();
    await turn();
    expect(released).toEqual(['a', 'b', 'c', 'd', 'e']);
    await turn();
    pacer.release(() => released.push('f'));
    expect(released.at(-1)).toBe('f');
  });
});

describe('AnswerPacer.flush', () => {
  it('releases everything queued at once, in order', () => {
    const pacer = new AnswerPacer(systemScheduler, 1);
    const released: number[] = [];
    for (let i = 0; i < 4; i++) pacer.release(() => released.push(i));
    expect(released).toEqual([0]);
    pacer.flush();
    expect(released).toEqual([0, 1, 2, 3]);
  });
});
