import { describe, expect, it } from 'vitest';
import { LogThrottle } from '../../src/lib/log-throttle.js';

describe('LogThrottle', () => {
  it('lets one message per key through per interval', () => {
    let nowMs = 1_000;
    const throttle = new LogThrottle(30_000, { nowMs: () => nowMs });
    expect(throttle.due('node2')).toBe(true);
    expect(throttle.due('node2')).toBe(false);
    nowMs += 10_000;
    expect(throttle.due('node3')).toBe(true);
    nowMs += 19_999;
    expect(throttle.due('node2')).toBe(false);
    nowMs += 1;
    expect(throttle.due('node2')).toBe(true);
    expect(throttle.due('node3')).toBe(false);
  });
});
