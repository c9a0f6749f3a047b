import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { hostClockMs, hostClockOf } from '../../src/lib/index.js';

describe('the host clock', () => {
  it('reads the monotonic clock another process on the host reads, not its own wall-clock origin', () => {
    const before = hostClockMs();
    const child = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(Number(process.hrtime.bigint()) / 1e6))']).toString());
    const after = hostClockMs();
    expect(child).toBeGreaterThanOrEqual(before);
    expect(child).toBeLessThanOrEqual(after);
  });

  it('places a performance.now() reading where hostClockMs would have read it', () => {
    const at = performance.now();
    const host = hostClockMs();
    expect(hostClockOf(at)).toBeLessThanOrEqual(host);
    expect(host - hostClockOf(at)).toBeLessThan(50);
  });
});
