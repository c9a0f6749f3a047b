import { execFileSync } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import { hostClockMs, hostClockOf } from '../../src/lib/index.js';

describe('the host clock', () => {
  it('reads the monotonic clock another process on the host reads, not its own wall-clock origin', () => {
    const before = hostClockMs();
    const child = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(Number(process.hrtime.bigint()) / 1e6))']).toString());
    const after = hostClockMs();
    expect(child).toBeGreaterThanOrEqual(before);
    expect(child).toBeLessThanOrEqual(after);
  });

  it('does not carry a pause between its first clock reads into every reading', async () => {
    // The process is descheduled right around its first reads (three nodes starting on two
    // busy cores): modelled by 5 ms passing inside the first two performance.now() calls.
    vi.resetModules();
    const real = performance.now.bind(performance);
    let calls = 0;
    const spy = vi.spyOn(performance, 'now').mockImplementation(() => {
      calls += 1;
      if (calls <= 2) for (const until = real() + 5; real() < until;);
      return real();
    });
    const { hostClockMs: fresh } = await import('../../src/lib/host-clock.js');
    spy.mockRestore();
    const before = fresh();
    const hrtimeMs = Number(process.hrtime.bigint()) / 1e6;
    const after = fresh();
    expect(hrtimeMs).toBeGreaterThanOrEqual(before - 0.5);
    expect(hrtimeMs).toBeLessThanOrEqual(after + 0.5);
  });

  it('places a performance.now() reading where hostClockMs would have read it', () => {
    const at = performance.now();
    const host = hostClockMs();
    expect(hostClockOf(at)).toBeLessThanOrEqual(host);
    expect(host - hostClockOf(at)).toBeLessThan(50);
  });
});
