import { describe, expect, it } from 'vitest';
import { ANSWERS_PER_TURN } from '../../src/lib/index.js';
import { ReadTracker } from '../../src/node/read-tracker.js';

/** Enough event-loop turns for reads released together to go out a few per turn. */
const PACED_TURNS = 20;

async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** 'released', an error's message, or 'waiting' once released reads have all gone out. */
async function stateOf(ready: Promise<void>): Promise<string> {
  // A settled promise has answered once the turns that pace released reads have passed.
  return Promise.race([
    ready.then(() => 'released', (error: Error) => error.message),
    turns(PACED_TURNS).then(() => 'waiting'),
  ]);
}

describe('ReadTracker', () => {
  it('releases a read confirmed at an applied index at once, and one beyond it only once applied', async () => {
    const reads = new ReadTracker();
    const atApplied = reads.begin(10_000);
    const beyond = reads.begin(10_000);
    reads.confirmed(beyond.requestId, 12, 10);
    reads.confirmed(atApplied.requestId, 10, 10);
    expect(await stateOf(atApplied.ready)).toBe('released');
    expect(await stateOf(beyond.ready)).toBe('waiting');
    reads.applied(11);
    expect(await stateOf(beyond.ready)).toBe('waiting');
    reads.applied(12);
    expect(await stateOf(beyond.ready)).toBe('released');
  });

  it('never releases a read the core has not confirmed, whatever is applied', async () => {
    const reads = new ReadTracker();
    const unconfirmed = reads.begin(10_000);
    reads.applied(1_000);
    expect(await stateOf(unconfirmed.ready)).toBe('waiting');
    reads.confirmed(unconfirmed.requestId, 5, 1_000);
    expect(await stateOf(unconfirmed.ready)).toBe('released');
  });

  it('times out naming what it waited for: a leader, or the apply of its confirmed index', async () => {
    const reads = new ReadTracker();
    const outcome = (ready: Promise<void>): Promise<string> => ready.then(() => 'served', (error: Error) => error.message);
    const unconfirmed = outcome(reads.begin(5).ready);
    const waiting = reads.begin(5);
    const confirmed = outcome(waiting.ready);
    reads.confirmed(waiting.requestId, 42, 40);
    expect(await unconfirmed).toBe('read not served within 5 ms: no leader or no quorum');
    expect(await confirmed)
      .toBe('read not served within 5 ms: confirmed at log index 42, which this node has not yet applied (a long write is being applied)');
  });

  it('releases many waiting reads in one apply, each only once its own index is applied', async () => {
    const reads = new ReadTracker();
    const begun = Array.from({ length: 64 }, (_, i) => ({ ...reads.begin(10_000), index: 100 + i }));
    for (const read of begun) reads.confirmed(read.requestId, read.index, 99);
    reads.applied(131);
    const states = await Promise.all(begun.map((read) => stateOf(read.ready)));
    expect(states.filter((state) => state === 'released')).toHaveLength(32);
    expect(states.slice(0, 32).every((state) => state === 'released')).toBe(true);
    reads.applied(163);
    expect(await Promise.all(begun.map((read) => stateOf(read.ready)))).toEqual(begun.map(() => 'released'));
  });

  it('keeps a read failed while it waited failed, even when its index applies later', async () => {
    const reads = new ReadTracker();
    const failed = reads.begin(10_000);
    reads.confirmed(failed.requestId, 7, 3);
    reads.fail(failed.requestId, new Error('leadership lost'));
    reads.applied(7);
    expect(await stateOf(failed.ready)).toBe('leadership lost');
  });

  it('forgets a read that timed out while it waited, so a later apply releases only the others', async () => {
    const reads = new ReadTracker();
    const stuck = reads.begin(20);
    const other = reads.begin(10_000);
    reads.confirmed(stuck.requestId, 9, 1);
    reads.confirmed(other.requestId, 9, 1);
    await expect(stuck.ready).rejects.toThrow(/not served within 20 ms/);
    reads.applied(9);
    expect(await stateOf(other.ready)).toBe('released');
  });

  it('times a read out when its index never applies', async () => {
    const reads = new ReadTracker();
    const stuck = reads.begin(20);
    reads.confirmed(stuck.requestId, 9, 1);
    await expect(stuck.ready).rejects.toThrow(/not served within 20 ms/);
    reads.applied(9);
  });

  it('fails every pending read, waiting or unconfirmed', async () => {
    const reads = new ReadTracker();
    const waiting = reads.begin(10_000);
    const unconfirmed = reads.begin(10_000);
    reads.confirmed(waiting.requestId, 4, 2);
    reads.failAll(new Error('node stopping'));
    expect(await stateOf(waiting.ready)).toBe('node stopping');
    expect(await stateOf(unconfirmed.ready)).toBe('node stopping');
  });

  it('releases reads confirmed together a few per event-loop turn, in order', async () => {
    const reads = new ReadTracker();
    const begun = Array.from({ length: 20 }, () => reads.begin(10_000));
    const order: number[] = [];
    begun.forEach((read, i) => { void read.ready.then(() => order.push(i)); });
    for (const read of begun) reads.confirmed(read.requestId, 5, 5);
    await Promise.resolve();
    expect(order).toEqual(Array.from({ length: ANSWERS_PER_TURN }, (_, i) => i));
    await turns(PACED_TURNS);
    expect(order).toEqual(begun.map((_, i) => i));
  });

  it('serves reads already released but still paced when the node stops, before failing the rest', async () => {
    const reads = new ReadTracker();
    const released = Array.from({ length: 20 }, () => reads.begin(10_000));
    for (const read of released) reads.confirmed(read.requestId, 5, 5);
    const outcomes: string[] = [];
    for (const read of released) void read.ready.then(() => outcomes.push('released'), () => outcomes.push('failed'));
    const unconfirmed = reads.begin(10_000);
    reads.failAll(new Error('node stopping'));
    // No turn has passed: every released read went out at failAll, none was failed.
    await Promise.resolve();
    expect(outcomes).toEqual(released.map(() => 'released'));
    expect(await stateOf(unconfirmed.ready)).toBe('node stopping');
  });
});
