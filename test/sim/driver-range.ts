import { expect } from 'vitest';
import { runDriverSimulation } from '../../src/sim/driver-simulation.js';

/** Seeds per test file and the fault-phase length (6 simulated seconds) CI runs. */
export const DRIVER_SEEDS_PER_FILE = 100;
export const DRIVER_STEPS = 600;

/** Runs seeds [first, first + count) (even: 3 nodes, odd: 5); totals show the faults happened. */
export async function runDriverRange(first: number, count = DRIVER_SEEDS_PER_FILE): Promise<{
  acknowledged: number; reads: number; crashes: number; fsyncFailures: number; leaders: number;
  restartedAtRest: number;
}> {
  const totals = { acknowledged: 0, reads: 0, crashes: 0, fsyncFailures: 0, leaders: 0, restartedAtRest: 0 };
  for (let seed = first; seed < first + count; seed += 1) {
    const result = await runDriverSimulation({ seed, nodes: seed % 2 === 0 ? 3 : 5, steps: DRIVER_STEPS });
    totals.acknowledged += result.acknowledged;
    totals.reads += result.reads;
    totals.crashes += result.crashes;
    totals.fsyncFailures += result.fsyncFailures;
    totals.leaders += result.leaders;
    if (result.restartedAtRest) totals.restartedAtRest += 1;
  }
  return totals;
}

/** Runs a file's seeds and checks that the faults really happened (or the run proves nothing). */
export async function expectSafeRange(first: number): Promise<void> {
  const totals = await runDriverRange(first);
  expect(totals.acknowledged).toBeGreaterThan(2_000);
  expect(totals.crashes).toBeGreaterThan(50);
  expect(totals.leaders).toBeGreaterThan(100);
  // Most runs also came through a rolling restart of the cluster at rest.
  expect(totals.restartedAtRest).toBeGreaterThan(50);
}
