import { describe, expect, it } from 'vitest';
import { closedLoop, windowStats } from '../../src/bench/closed-loop.js';

describe('windowStats', () => {
  it('drops the warm-up and splits completions into windows', () => {
    const run = {
      startMs: 1_000,
      // warm-up ends at 1_100; windows [1100,1200) and [1200,1300)
      endMs: [1_050, 1_110, 1_150, 1_190, 1_250, 1_400],
      latencyMs: [9, 1, 2, 3, 4, 9],
    };
    const windows = windowStats(run, 100, 100, 2);
    expect(windows).toHaveLength(2);
    expect(windows[0]).toEqual({ opsPerSecond: 30, p50Ms: 2, p99Ms: 3, ops: 3 });
    expect(windows[1]).toEqual({ opsPerSecond: 10, p50Ms: 4, p99Ms: 4, ops: 1 });
  });

  it('reports NaN latencies for an empty window', () => {
    const [window] = windowStats({ startMs: 0, endMs: [], latencyMs: [] }, 0, 50, 1);
    expect(window?.ops).toBe(0);
    expect(window?.p50Ms).toBeNaN();
  });
});

describe('closedLoop', () => {
  it('gives each call a distinct sequence number and keeps one call per client in flight', async () => {
    const seen: number[] = [];
    let inFlight = 0;
    let inFlightMax = 0;
    const run = await closedLoop({
      concurrency: 4,
      durationMs: 60,
      firstSequence: 10,
      op: async (sequence) => {
        inFlight++;
        inFlightMax = Math.max(inFlightMax, inFlight);
        seen.push(sequence);
        await new Promise((resolve) => setTimeout(resolve, 2));
        inFlight--;
      },
    });
    expect(new Set(seen).size).toBe(seen.length);
    expect(Math.min(...seen)).toBe(10);
    expect(run.nextSequence).toBe(10 + seen.length);
    expect(run.endMs).toHaveLength(seen.length);
    expect(inFlightMax).toBe(4);
    expect(run.errors).toBe(0);
  });

  it('counts failed calls as errors, not completions', async () => {
    const run = await closedLoop({
      concurrency: 1,
      durationMs: 20,
      op: async (sequence) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (sequence % 2 === 1) throw new Error(`odd ${sequence}`);
      },
    });
    expect(run.errors).toBeGreaterThan(0);
    expect(run.lastError).toMatch(/^odd \d+$/);
    expect(run.endMs.length + run.errors).toBe(run.nextSequence);
  });
});
