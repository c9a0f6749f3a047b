import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

/** A child process this benchmark started, with its output kept for error reports. */
export interface BenchChild {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  output(): string;
  exited(): Promise<void>;
  isRunning(): boolean;
}

/** Output kept per child: enough to show why a node died, bounded so a chatty node can't grow it. */
const OUTPUT_CHARS_MAX = 64 * 1024;

const running = new Set<BenchChild>();
const tempDirs = new Set<string>();

/** Spawns a child and records it so `cleanupAll` can end it by PID. */
export function spawnTracked(
  name: string,
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): BenchChild {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`cannot start ${name}: ${command} did not spawn`);
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-OUTPUT_CHARS_MAX);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const tracked: BenchChild = {
    name,
    child,
    pid,
    output: () => output,
    exited: () => exit,
    isRunning: () => child.exitCode === null && child.signalCode === null,
  };
  running.add(tracked);
  void exit.then(() => running.delete(tracked));
  return tracked;
}

/** SIGKILLs a child we started (by its PID) and waits for it to be gone. */
export async function killChild(child: BenchChild): Promise<void> {
  if (!child.isRunning()) return;
  try {
    process.kill(child.pid, 'SIGKILL');
  } catch {
    return; // already gone
  }
  await child.exited();
}

/** SIGTERM, then SIGKILL after `graceMs`, for a child we started. */
export async function stopChild(child: BenchChild, graceMs = 5_000): Promise<void> {
  if (!child.isRunning()) return;
  try {
    process.kill(child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => void killChild(child), graceMs);
  await child.exited();
  clearTimeout(timer);
}

/** Records a temp dir to remove at cleanup. */
export function trackTempDir(dir: string): void {
  tempDirs.add(dir);
}

/** Removes a temp dir now and forgets it. */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** Synchronous last resort (exit, SIGINT): SIGKILL every child still running, remove temp dirs. */
export function cleanupAllSync(): void {
  for (const c of running) {
    try {
      if (c.isRunning()) process.kill(c.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** Stops every child still running (gracefully, then by force) and removes temp dirs. */
export async function cleanupAll(): Promise<void> {
  await Promise.all([...running].map((c) => stopChild(c)));
  cleanupAllSync();
}
