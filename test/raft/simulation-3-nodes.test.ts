import { describe, expect, it } from 'vitest';
import { SEEDS_PER_CASE, runRange } from './sim-range.js';

// 4 x 250 seeds here and as many in the other cluster size: 2,000 seeds in all.
describe('deterministic simulation, 3 nodes', () => {
  for (let chunk = 0; chunk < 4; chunk += 1) {
    const first = 1 + chunk * SEEDS_PER_CASE;
    it(`seeds ${first}..${first + SEEDS_PER_CASE - 1}: safe under faults, live once healed and after a restart at rest`, () => {
      const totals = runRange(first, 3);
      // The faults really happened and the cluster still made progress.
      expect(totals.acknowledged).toBeGreaterThan(SEEDS_PER_CASE * 5);
      expect(totals.crashes).toBeGreaterThan(SEEDS_PER_CASE / 2);
      expect(totals.leaders).toBeGreaterThan(SEEDS_PER_CASE);
      // Most clusters also came through a restart of their majority at rest.
      expect(totals.restartedAtRest).toBeGreaterThan(SEEDS_PER_CASE / 2);
    });
  }
});
