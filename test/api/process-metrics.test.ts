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
    const renderedAt = performance.now();
    holdLoop(150);
    const slow = (text: string) => sample(text, 'chronos_event_loop_delay_seconds_count')
      - sample(text, 'chronos_event_loop_delay_seconds_bucket{le="0.1"}');
    // The sample due during the hold runs once the loop turns again: wait for it (at most 2 s).
    let after = (await metrics.render()).body;
    for (let waited = 0; slow(after) === slow(before) && waited < 2_000; waited += 5) {
      await turn(5);
      after = (await metrics.render()).body;
    }
    const wallSeconds = (performance.now() - renderedAt) / 1000;
    expect(slow(after) - slow(before)).toBeGreaterThanOrEqual(1);
    // The loop was held 150 ms of wall time; it cannot have been busy longer than the span.
    const busy = sample(after, 'chronos_event_loop_busy_seconds_total') - sample(before, 'chronos_event_loop_busy_seconds_total');
    expect(busy).toBeGreaterThanOrEqual(0.14);
    expect(busy).toBeLessThanOrEqual(wallSeconds + 0.01);
    expect(sample(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    const startedAt = Date.now() / 1000 - process.uptime();
    expect(Math.abs(sample(after, 'process_start_time_seconds') - startedAt)).toBeLessThan(1);
  });

  it('report the process CPU time as the process counts it', async () => {
    const metrics = nodeMetrics();
    const cpuSeconds = () => { const usage = process.cpuUsage(); return (usage.user + usage.system) / 1e6; };
    const reported = async () => sample((await metrics.render()).body, 'process_cpu_seconds_total');
    // Bounded: spin until this process has used 100 ms more CPU, for at most 5 s of wall time.
    const from = cpuSeconds();
    const until = performance.now() + 5_000;
    while (cpuSeconds() - from < 0.1 && performance.now() < until) {
      // busy on purpose
    }
    const low = cpuSeconds();
    const value = await reported();
    const high = cpuSeconds();
    expect(value).toBeGreaterThanOrEqual(low - 0.001);
    expect(value).toBeLessThanOrEqual(high + 0.001);
  });

  it('count garbage collections by kind', async () => {
    const metrics = nodeMetrics();
    const minors = async () => sample((await metrics.render()).body, 'chronos_gc_pause_seconds_count{kind="minor"}');
    const before = await minors();
    // Every kind's series is there before its first collection (sample() throws when absent).
    for (const kind of ['major', 'incremental', 'weakcb']) {
      expect(sample((await metrics.render()).body, `chronos_gc_pause_seconds_count{kind="${kind}"}`)).toBeGreaterThanOrEqual(0);
    }
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
    // Both registries read the one counter: each scrape reports the process's whole CPU time,
    // whichever registry was scraped before (a per-registry catch-up would count twice).
    const cpuSeconds = () => { const usage = process.cpuUsage(); return (usage.user + usage.system) / 1e6; };
    for (const metrics of [first, second, first, second]) {
      holdLoop(20);
      const low = cpuSeconds();
      const value = sample((await metrics.render()).body, 'process_cpu_seconds_total');
      expect(value).toBeGreaterThanOrEqual(low - 0.001);
      expect(value).toBeLessThanOrEqual(cpuSeconds() + 0.001);
    }
  });
});
