import { execFileSync } from 'node:child_process';
import { cpus, totalmem, platform, release } from 'node:os';

/** The facts about the machine a figure was measured on, stored in every results file. */
export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly nodeVersion: string;
  readonly os: string;
  /** Filesystem type and device of the temp dir the data dirs live in (fsync cost depends on it). */
  readonly tempDirFs: string;
}

function filesystemOf(dir: string): string {
  try {
    const out = execFileSync('df', ['-T', dir], { encoding: 'utf8', timeout: 5_000 });
    const fields = (out.trim().split('\n')[1] ?? '').split(/\s+/);
    return `${fields[1] ?? '?'} on ${fields[0] ?? '?'}`;
  } catch {
    return 'unknown (df -T failed)';
  }
}

/** Describes this machine; `dir` is where the benchmark keeps its data. */
export function describeMachine(dir: string): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryBytes: totalmem(),
    nodeVersion: process.version,
    os: `${platform()} ${release()}`,
    tempDirFs: filesystemOf(dir),
  };
}
