import { describe, expect, it } from 'vitest';
import { NodeMetrics } from '../../src/api/metrics.js';
import type { NodeStatus } from '../../src/api/node-status.js';

const status: NodeStatus = { role: 'Follower', term: 2, leader: 'node1', commitIndex: 3, appliedIndex: 3,
  recovering: false, voters: ['node1', 'node2', 'node3'], learners: [], clusterId: null };

function nodeMetrics(): NodeMetrics {
  return new NodeMetrics({ status: () => status, storageSizeBytes: async () => 0, walFsyncs: () => 0 });
}

/** The value of the sample written exactly as `series` (name and labels) in `text`. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  if (line === undefined) throw new Error(`no sample ${series} in:\n${text}`);
  return Number(line.slice(series.length + 1));
}

/** Holds the event loop for `ms`, as a long statement or a big sort would. */
function holdLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy on purpose
  }
}

const turn = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('process metrics', () => {
  it('count an event-loop stall in the delay histogram and the busy seconds', async () => {
    const metrics = nodeMetrics();
    const before = (await metrics.render()).body;
    holdLoop(150);
    await turn(60);
    const after = (await metrics.render()).body;
    const slow = (text: string) => sample(text, 'chronos_event_loop_delay_seconds_count')
      - sample(text, 'chronos_event_loop_delay_seconds_bucket{le="0.1"}');
    expect(slow(after) - slow(before)).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'chronos_event_loop_busy_seconds_total') - sample(before, 'chronos_event_loop_busy_seconds_total'))
      .toBeGreaterThanOrEqual(0.14);
    expect(sample(after, 'process_cpu_seconds_total') - sample(before, 'process_cpu_seconds_total'))
      .toBeGreaterThanOrEqual(0.1);
    expect(sample(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sample(after, 'process_start_time_seconds') * 1000).toBeLessThanOrEqual(Date.now());
  });

  it('count garbage collections by kind', async () => {
    const metrics = nodeMetrics();
    const minors = async () => sample((await metrics.render()).body, 'chronos_gc_pause_seconds_count{kind="minor"}');
    const before = await minors();
    expect(sample((await metrics.render()).body, 'chronos_gc_pause_seconds_count{kind="weakcb"}')).toBeGreaterThanOrEqual(0);
    // Bounded: short-lived garbage until the young generation is collected at least once.
    let kept = 0;
    for (let round = 0; round < 200 && (await minors()) === before; round++) {
      for (let i = 0; i < 20_000; i++) kept += new Array(16).fill(i).length;
      await turn(1);
    }
    expect(kept).toBeGreaterThan(0);
    expect(await minors()).toBeGreaterThan(before);
  });

  it('are one set per process: every node registry shows the same series', async () => {
    const first = nodeMetrics();
    const second = nodeMetrics();
    for (const name of ['chronos_event_loop_delay_seconds', 'chronos_gc_pause_seconds', 'process_cpu_seconds_total']) {
      expect(second.registry.getSingleMetric(name)).toBe(first.registry.getSingleMetric(name));
    }
    // A counter both registries read must never run backwards, whichever is scraped.
    const cpu = async (metrics: NodeMetrics) => sample((await metrics.render()).body, 'process_cpu_seconds_total');
    const a = await cpu(first);
    holdLoop(30);
    const b = await cpu(second);
    const c = await cpu(first);
    expect(b).toBeGreaterThan(a);
    expect(c).toBeGreaterThanOrEqual(b);
  });
});
