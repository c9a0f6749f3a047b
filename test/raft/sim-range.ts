import { runSimulation } from '../../src/sim/simulation.js';

/** Seeds per test case, and the fault-phase length (15 simulated seconds). */
export const SEEDS_PER_CASE = 250;
export const STEPS = 1_500;

/** Runs a range of seeds; returns totals so tests can assert the faults really happened. */
export function runRange(first: number, nodes: 3 | 5): { acknowledged: number;
  crashes: number; leaders: number; restartedAtRest: number } {
  let restartedAtRest = 0;
  let acknowledged = 0;
  let crashes = 0;
  let leaders = 0;
  for (let seed = first; seed < first + SEEDS_PER_CASE; seed += 1) {
    const result = runSimulation({ seed, nodes, steps: STEPS });
    acknowledged += result.acknowledged;
    crashes += result.crashes;
    leaders += result.leaders;
    if (result.restartedAtRest) restartedAtRest += 1;
  }
  return { acknowledged, crashes, leaders, restartedAtRest };
}
