import { it } from 'vitest';
import { expectSafeRange } from './driver-range.js';

// One file per 100 seeds, so the test workers share them.
it('the real driver keeps every safety property under simulated faults, seeds 201-300',
  () => expectSafeRange(201), 600_000);
