import { describe, expect, it } from 'vitest';
import { WriteHops } from '../../src/node/write-hops.js';
import { joinWriteHops } from '../../src/bench/write-hops.js';

/** A clock the test moves by hand. */
function manualClock(): { now: () => number; set: (ms: number) => void } {
  let ms = 0;
  return { now: () => ms, set: (to) => { ms = to; } };
}

describe('write hops, as a node records them', () => {
  it('keeps the first time of each hop of an entry the node tracks', () => {
    const clock = manualClock();
    const hops = new WriteHops(clock.now);
    clock.set(10);
    hops.proposed(5, 9);
    hops.reached('walStart', 5, 5);
    clock.set(11);
    hops.sent('n2', 5, 5);
    clock.set(12);
    hops.sent('n2', 4, 5); // a resend does not move the first send
    hops.reached('walStart', 5, 5);
    hops.reached('committed', 6, 6); // an entry this node never saw proposed or received stays unknown
    expect(hops.recent()).toEqual([{ index: 5, at: { received: 9, proposed: 10, walStart: 10, 'sent:n2': 11 } }]);
  });

  it('an answer covers every entry up to its match index, once per peer', () => {
    const clock = manualClock();
    const hops = new WriteHops(clock.now);
    for (const index of [1, 2, 3]) hops.proposed(index, 0);
    clock.set(5);
    hops.acked('n2', 2);
    clock.set(6);
    hops.acked('n2', 3);
    hops.acked('n3', 1);
    clock.set(7);
    hops.acked('n2', 3); // a heartbeat's answer repeats the match index: nothing moves
    const acked = hops.recent().map(({ at }) => [at['acked:n2'], at['acked:n3']]);
    expect(acked).toEqual([[5, 6], [5, undefined], [6, undefined]]);
  });

  it('a follower notes arrivals and its answers; old entries are forgotten first', () => {
    const clock = manualClock();
    const hops = new WriteHops(clock.now);
    clock.set(1);
    hops.appendReceived(1, 10_000);
    clock.set(2);
    hops.ackSent(10_000);
    const recent = hops.recent();
    expect(recent.length).toBe(8_192);
    expect(recent[0]?.index).toBe(10_000 - 8_192 + 1);
    expect(recent.at(-1)).toEqual({ index: 10_000, at: { appendReceived: 1, ackSent: 2 } });
  });

  it('an entry taking an old entry\'s place starts with none of its hops', () => {
    const clock = manualClock();
    const hops = new WriteHops(clock.now);
    clock.set(1);
    hops.proposed(3, 1);
    hops.reached('walStart', 3, 3);
    hops.sent('n2', 3, 3);
    clock.set(2);
    hops.proposed(3 + 8_192, 2);
    hops.reached('committed', 3, 3); // forgotten: nothing to mark
    expect(hops.recent()).toEqual([{ index: 3 + 8_192, at: { received: 2, proposed: 2 } }]);
  });
});

describe('the bench joins the nodes\' hops', () => {
  const leader = {
    id: 'n1',
    entries: [
      { index: 7, at: { received: 100, proposed: 100.5, walStart: 101, 'sent:n2': 101, 'sent:n3': 101, walEnd: 102,
        'acked:n3': 103.5, 'acked:n2': 104, committed: 104, applyStart: 104.5, answered: 105, applied: 106 } },
      // Received before the measured window: left out.
      { index: 6, at: { received: 50, proposed: 51, answered: 60, 'acked:n2': 55 } },
    ],
  };
  const followers = [
    { id: 'n2', entries: [{ index: 7, at: { appendReceived: 101.5, walStart: 101.5, walEnd: 103, ackSent: 103 } }] },
    { id: 'n3', entries: [{ index: 7, at: { appendReceived: 101.2, walStart: 101.5, walEnd: 103, ackSent: 103.1 } }] },
  ];

  it('follows a write through the leader and the follower that answered first', () => {
    const breakdown = joinWriteHops(leader, followers, 99);
    expect(breakdown['writes']).toBe(1);
    // n3's answer arrived first, so the hops across the wire are n3's.
    expect(breakdown['to follower']).toBeCloseTo(0.2);
    expect(breakdown['follower waits']).toBeCloseTo(0.3);
    expect(breakdown['to leader']).toBeCloseTo(0.4);
    expect(breakdown['leader fsync']).toBeCloseTo(1);
    expect(breakdown['commit after both']).toBeCloseTo(0.5);
    expect(breakdown['in node']).toBeCloseTo(5);
    expect(breakdown['storage write after answer']).toBeCloseTo(1);
  });

  it('counts nothing a follower never acknowledged', () => {
    expect(joinWriteHops(leader, [], 0)['writes']).toBe(0);
  });
});
