import { describe, expect, it } from 'vitest';
import { runSeed, runSimulation, SimulationFailure } from '../../src/sim/simulation.js';

describe('simulation harness', () => {
  it('replays a seed exactly', () => {
    const first = runSeed(42, 5, 1_000);
    const second = runSeed(42, 5, 1_000);
    expect(second).toEqual(first);
    expect(runSeed(43, 5, 1_000).traceHash).not.toBe(first.traceHash);
  });

  it('a failure names its seed and step', () => {
    let caught: unknown;
    try {
      runSimulation({ seed: 7, nodes: 3, steps: 0, livenessSteps: 5 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SimulationFailure);
    if (caught instanceof SimulationFailure) {
      expect(caught.seed).toBe(7);
      expect(caught.message).toMatch(/seed=7 nodes=3 step=5: no liveness/);
    }
  });

  it('a fault-free run elects one leader and acknowledges writes', () => {
    const result = runSimulation({ seed: 3, nodes: 3, steps: 1_000, faults: {
      dropRate: 0, duplicateRate: 0, partitionRate: 0, crashRate: 0, transferRate: 0,
      proposeRate: 0.2, crashAfterCommitRate: 0, crashAfterElectionRate: 0, lateRate: 0,
      persistStallRate: 0,
    } });
    expect(result.leaders).toBe(1);
    expect(result.crashes).toBe(0);
    expect(result.acknowledged).toBeGreaterThan(100);
  });

  it('nodes that lose their disk (wiped or restored from a backup) catch up safely', () => {
    let diskLosses = 0;
    for (let seed = 1; seed <= 40; seed += 1) {
      for (const nodes of [3, 5] as const) {
        diskLosses += runSimulation({ seed, nodes, steps: 1_500,
          faults: { diskLossRate: 0.01 } }).diskLosses;
      }
    }
    expect(diskLosses).toBeGreaterThan(100);
  });

  it('grows clusters from one voter and stalls persists while nodes go on stepping', () => {
    let grown = 0;
    let stalls = 0;
    // About a third of the seeds grow to three voters within 1,500 steps.
    for (let seed = 1; seed <= 40; seed += 1) {
      const result = runSimulation({ seed, nodes: 3, steps: 1_500, growFromOneVoter: true,
        faults: { membershipRate: 0.01, persistStallRate: 0.05 } });
      if (result.voters === 3) grown += 1;
      stalls += result.persistStalls;
    }
    expect(grown).toBeGreaterThan(8);
    expect(stalls).toBeGreaterThan(200);
  });

  it('catches the planted bug of a restore that forgets the recovering mark', () => {
    const failures: string[] = [];
    for (let seed = 1; seed <= 20; seed += 1) {
      try {
        runSimulation({ seed, nodes: 3, steps: 1_500, faults: { diskLossRate: 0.01 },
          plantLostRecoveringMark: true });
      } catch (error) {
        if (!(error instanceof SimulationFailure)) throw error;
        failures.push(error.message);
      }
    }
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.join('\n')).toMatch(/leader completeness|acknowledged write/);
  });

  it('leader read leases keep reads linearizable through partitions, crashes and transfers', () => {
    let reads = 0;
    for (let seed = 1; seed <= 20; seed += 1) {
      for (const nodes of [3, 5] as const) {
        reads += runSimulation({ seed, nodes, steps: 1_500, readLeaseMs: 640,
          faults: { partitionRate: 0.02, readRate: 0.3 } }).reads;
      }
    }
    expect(reads).toBeGreaterThan(1_000);
  });

  it('catches the planted bug of a lease that outlasts the followers\' stickiness', () => {
    const failures: string[] = [];
    // Partitions long enough for a successor to commit, and reads dense enough to meet its
    // writes on the deposed leader: with partitions of at most 0.3-1 s in two seeds of three,
    // the bug showed in 2-3 of 200 seeds; here in 6 of 60 (10 of 200). Which schedules find it
    // shifts with election timing: the first election's delays by rank took the 5 s partitions
    // used before from 10 of 200 to 2.
    for (let seed = 1; seed <= 60; seed += 1) {
      try {
        runSimulation({ seed, nodes: 3, steps: 3_000, readLeaseMs: 5_000,
          faults: { partitionRate: 0.03, partitionDurationMsMax: 3_000, readRate: 0.6, proposeRate: 0.3 } });
      } catch (error) {
        if (!(error instanceof SimulationFailure)) throw error;
        failures.push(error.message);
      }
    }
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.join('\n')).toMatch(/below acknowledged write/);
  });
});
