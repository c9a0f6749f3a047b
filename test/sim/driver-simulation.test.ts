import { describe, expect, it } from 'vitest';
import { runDriverSimulation } from '../../src/sim/driver-simulation.js';
import type { DriverSimOptions } from '../../src/sim/driver-simulation.js';
import { SimulationFailure } from '../../src/sim/simulation.js';

/** The failure messages of `seeds` runs with `options` (a planted bug must fail some). */
async function failures(seeds: number, options: Omit<DriverSimOptions, 'seed'>): Promise<string[]> {
  const messages: string[] = [];
  for (let seed = 1; seed <= seeds; seed += 1) {
    try {
      await runDriverSimulation({ ...options, seed });
    } catch (error) {
      if (!(error instanceof SimulationFailure)) throw error;
      expect(error.seed).toBe(seed);
      messages.push(error.message);
    }
  }
  return messages;
}

describe('driver simulation harness', () => {
  it('replays a seed exactly (what the replay command of a failure relies on)', async () => {
    const first = await runDriverSimulation({ seed: 11, nodes: 5, steps: 400 });
    const second = await runDriverSimulation({ seed: 11, nodes: 5, steps: 400 });
    expect(second).toEqual(first);
    expect(first.delivered).toBeGreaterThan(0);
  }, 60_000);

  it('a fault-free run elects one leader, acknowledges every write and converges', async () => {
    const result = await runDriverSimulation({ seed: 3, nodes: 3, steps: 600, faults: {
      dropRate: 0, duplicateRate: 0, tailRate: 0, partitionRate: 0, oneWayCutRate: 0, crashRate: 0, fsyncFailRate: 0,
      writeRate: 0.3, readRate: 0.1,
    } });
    expect(result.leaders).toBe(1);
    expect(result.crashes).toBe(0);
    expect(result.acknowledged).toBeGreaterThan(150);
    expect(result.reads).toBeGreaterThan(30);
  }, 60_000);

  it('catches the planted bug of acknowledging before the WAL fsync', async () => {
    const found = await failures(5, { nodes: 3, steps: 600, plants: { lyingFsync: true },
      faults: { crashRate: 0.02, crashInSyncShare: 0 } });
    expect(found.length).toBeGreaterThan(0);
    expect(found.join('\n')).toMatch(/applied index \d+ but the log .* ends at|durability|state-machine safety/);
  }, 120_000);

  it('catches the planted bug of an apply that is not exactly once (the applied index is lost)', async () => {
    const found = await failures(5, { nodes: 3, steps: 600, plants: { forgetAppliedIndex: true },
      faults: { crashRate: 0.01, compactEveryEntries: 1_000_000 } });
    expect(found.length).toBeGreaterThan(0);
    expect(found.join('\n')).toMatch(/state-machine safety|exactly once|atomicity/);
  }, 120_000);
});
