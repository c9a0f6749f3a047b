import { describe, expect, it } from 'vitest';
import { NodeMetrics } from '../../src/api/metrics.js';
import type { NodeStatus } from '../../src/api/node-status.js';
import { parseLoopPauses, pausesBetween, renderPauses } from '../../src/bench/loop-pauses.js';

const status: NodeStatus = { role: 'Leader', term: 1, leader: 'node1', commitIndex: 1, appliedIndex: 1,
  recovering: false, voters: ['node1'], learners: [], clusterId: null };

/** The lines of a node's /metrics that the parser reads, with the given values. */
function exposition(minor: [number, number], major: [number, number], buckets: Record<string, number>, count: number): string {
  return [
    '# TYPE chronos_gc_pause_seconds histogram',
    `chronos_gc_pause_seconds_sum{kind="minor"} ${minor[0]}`,
    `chronos_gc_pause_seconds_count{kind="minor"} ${minor[1]}`,
    `chronos_gc_pause_seconds_sum{kind="major"} ${major[0]}`,
    `chronos_gc_pause_seconds_count{kind="major"} ${major[1]}`,
    ...Object.entries(buckets).map(([le, n]) => `chronos_event_loop_delay_seconds_bucket{le="${le}"} ${n}`),
    `chronos_event_loop_delay_seconds_bucket{le="+Inf"} ${count}`,
    `chronos_event_loop_delay_seconds_count ${count}`,
  ].join('\n');
}

describe('leader pauses between two scrapes', () => {
  it('counts GC pauses by kind and loop samples later than 25 and 100 ms', () => {
    const before = parseLoopPauses(exposition([0.5, 100], [0.02, 1], { '0.025': 990, '0.1': 999 }, 1000));
    const after = parseLoopPauses(exposition([0.8, 160], [0.1, 3], { '0.025': 1490, '0.1': 1497 }, 1500));
    const between = pausesBetween(before, after);
    expect(between.gc['minor']?.count).toBe(60);
    expect(between.gc['minor']?.ms).toBeCloseTo(300, 6);
    expect(between.gc['major']).toEqual({ count: 2, ms: expect.closeTo(80, 6) as number });
    // Late past 25 ms: 10 before, 10 after (nothing new); past 100 ms: 1 before, 3 after.
    expect(between.lateOver25Ms).toBe(0);
    expect(between.lateOver100Ms).toBe(2);
    expect(renderPauses('ChronosDB: 16 clients, leader', between))
      .toBe('ChronosDB: 16 clients, leader: GC minor 60 (300 ms) · major 2 (80 ms) · loop late > 25 ms: 0, > 100 ms: 2');
  });

  it('reads what a node really exports: a held loop and a young-generation collection', async () => {
    const metrics = new NodeMetrics({ status: () => status, storageSizeBytes: async () => 0, walFsyncs: () => 0 });
    const before = parseLoopPauses((await metrics.render()).body);
    const until = performance.now() + 130;
    while (performance.now() < until) {
      // the loop held, as by a long statement
    }
    // The sample due during the hold runs once the loop turns again: wait for it (at most 2 s).
    for (let waited = 0; waited < 2_000; waited += 5) {
      if (pausesBetween(before, parseLoopPauses((await metrics.render()).body)).lateOver100Ms > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // Bounded: short-lived garbage until a scavenge has been reported (at most 200 rounds).
    let kept = 0;
    for (let round = 0; round < 200; round++) {
      const now = parseLoopPauses((await metrics.render()).body);
      if ((now.gc.get('minor')?.count ?? 0) > (before.gc.get('minor')?.count ?? 0)) break;
      for (let i = 0; i < 20_000; i++) kept += new Array(16).fill(i).length;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const between = pausesBetween(before, parseLoopPauses((await metrics.render()).body));
    expect(between.lateOver100Ms).toBeGreaterThanOrEqual(1);
    expect(between.lateOver25Ms).toBeGreaterThanOrEqual(between.lateOver100Ms);
    expect(between.gc['minor']?.count ?? 0).toBeGreaterThanOrEqual(1);
  });
});
