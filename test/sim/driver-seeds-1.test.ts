import { it } from 'vitest';
import { expectSafeRange } from './driver-range.js';

// One file per 100 seeds, so the test workers share them.
it('the real driver keeps every safety property under simulated faults, seeds 1-100',
  () => expectSafeRange(1), 600_000);
