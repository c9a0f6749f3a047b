import { readFileSync } from 'node:fs';

/** Linux reports utime and stime in USER_HZ ticks: 100 per second on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** CPU ms per operation of each member (by index; null: not running) and of the bench client. */
export interface CpuPerOp {
  readonly members: readonly (number | null)[];
  /** The member the client's calls went to (the leader, or the follower reads went through). */
  readonly serving: number;
  readonly client: number;
}

/** User + system CPU ms in the text of a `/proc/PID/stat` file (all of the process's threads). */
export function cpuMsFromStat(stat: string): number {
  // The command name may hold spaces and parentheses; the fields after it start past the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  if (!Number.isFinite(ticks)) throw new Error(`not a /proc/PID/stat line: ${stat.slice(0, 80)}`);
  return ticks * (1000 / TICKS_PER_SECOND);
}

/** CPU ms process `pid` has used so far; null once it has exited (or off Linux). */
export function processCpuMs(pid: number): number | null {
  try {
    return cpuMsFromStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Counts CPU from now: every member's and this process's (the closed-loop client, which shares
 * the machine's cores with them). `perOp(ops)` divides what each used since by `ops`.
 */
export function startCpuMeter(pids: readonly (number | null)[], serving: number): { perOp(ops: number): CpuPerOp } {
  const membersBefore = pids.map((pid) => (pid === null ? null : processCpuMs(pid)));
  const clientBefore = process.cpuUsage();
  return {
    perOp(ops) {
      const client = process.cpuUsage(clientBefore);
      const members = pids.map((pid, i) => {
        const before = membersBefore[i];
        const after = pid === null ? null : processCpuMs(pid);
        return before === null || before === undefined || after === null || ops === 0 ? null : (after - before) / ops;
      });
      return { members, serving, client: ops === 0 ? 0 : (client.user + client.system) / 1000 / ops };
    },
  };
}

/** `member 1 1.102 · member 2 (serving) 1.737 · member 3 1.119 · client 0.740 · all 4.698` (ms per operation). */
export function renderCpuPerOp(cpu: CpuPerOp): string {
  const parts = cpu.members.map((ms, i) => `member ${i + 1}${i === cpu.serving ? ' (serving)' : ''} ${ms === null ? '-' : ms.toFixed(3)}`);
  const all = totalCpuPerOp(cpu);
  return [...parts, `client ${cpu.client.toFixed(3)}`, `all ${Number.isFinite(all) ? all.toFixed(3) : '-'}`].join(' · ');
}

/** CPU ms per operation of the member that served the calls (null if it was not running). */
export function servingCpuPerOp(cpu: CpuPerOp): number | null {
  return cpu.members[cpu.serving] ?? null;
}

/** Sum of the CPU per operation of every process; NaN when a member was not measured (a sum without it would look cheaper). */
export function totalCpuPerOp(cpu: CpuPerOp): number {
  return cpu.members.reduce<number>((sum, ms) => sum + (ms ?? Number.NaN), cpu.client);
}
