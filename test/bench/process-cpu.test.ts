import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  cpuMsFromStat, processCpuMs, renderCpuPerOp, servingCpuPerOp, startCpuMeter, totalCpuPerOp,
} from '../../src/bench/process-cpu.js';
import type { CpuPerOp } from '../../src/bench/process-cpu.js';

const onLinux = process.platform === 'linux';

describe('process CPU per operation', () => {
  it('reads utime and stime past a command name holding spaces and parentheses', () => {
    // Fields 14 and 15 (utime, stime) are 250 and 40 ticks: 2,900 ms at 100 ticks per second.
    const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 40 0 0 20 0 11 0 500 1000 200';
    expect(cpuMsFromStat(stat)).toBe(2_900);
    expect(() => cpuMsFromStat('garbage')).toThrow(/not a \/proc\/PID\/stat line/);
  });

  it.skipIf(!onLinux)('measures a busy child, this process, and nothing for a member that is down', async () => {
    const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 10000; while (Date.now() < end);'], { stdio: 'ignore' });
    const pid = child.pid;
    if (pid === undefined) throw new Error('child did not spawn');
    let measured: CpuPerOp | null = null;
    try {
      const meter = startCpuMeter([pid, null], 0);
      const base = processCpuMs(pid) ?? 0;
      // This process works too, as the closed-loop client would: 100 ms of CPU (at most 5 s of wall time).
      const cpuMs = () => { const usage = process.cpuUsage(); return (usage.user + usage.system) / 1000; };
      const from = cpuMs();
      const until = performance.now() + 5_000;
      while (cpuMs() - from < 100 && performance.now() < until) {
        // busy on purpose
      }
      // Bounded: the child spins for 10 s; wait (at most 5 s) until it has used 200 ms more.
      for (let waited = 0; waited < 5_000 && (processCpuMs(pid) ?? 0) - base < 200; waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      measured = meter.perOp(10);
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    const cpu = measured;
    expect(cpu.members[0]).toBeGreaterThanOrEqual(10);
    expect(cpu.members[1]).toBeNull();
    expect(cpu.client).toBeGreaterThanOrEqual(5);
    expect(servingCpuPerOp(cpu)).toBe(cpu.members[0]);
    // A member not measured makes the total unknown rather than cheaper.
    expect(totalCpuPerOp(cpu)).toBeNaN();
    expect(totalCpuPerOp({ ...cpu, members: [cpu.members[0] ?? 0] })).toBeCloseTo((cpu.members[0] ?? 0) + cpu.client, 9);
    expect(renderCpuPerOp(cpu)).toMatch(/^member 1 \(serving\) [\d.]+ · member 2 - · client [\d.]+ · all -$/);
    expect(processCpuMs(pid)).toBeNull();
  });
});
