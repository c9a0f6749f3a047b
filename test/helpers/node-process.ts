import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Path of the real CLI, as a user runs it. */
export const CHRONOS_BIN = fileURLToPath(new URL('../../bin/chronos', import.meta.url));

/** A `chronos node` child process started by a test. */
export interface NodeProcess {
  readonly id: string;
  readonly port: number;
  readonly adminPort: number;
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  exited(): Promise<number | null>;
}

/** Starts `chronos node` with the given flags; the caller must stop it by PID. */
export function startNode(options: {
  id: string;
  dataDir: string;
  port: number;
  peers: ReadonlyMap<string, number>;
  extraArgs?: readonly string[];
  env?: NodeJS.ProcessEnv;
}): NodeProcess {
  const peers = [...options.peers].map(([id, port]) => `${id}=127.0.0.1:${port}`).join(',');
  const args = [
    'node',
    '--id',
    options.id,
    '--data-dir',
    options.dataDir,
    '--address',
    `127.0.0.1:${options.port}`,
    ...(peers === '' ? [] : ['--peers', peers]),
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(process.execPath, [CHRONOS_BIN, ...args], {
    env: { ...process.env, CHRONOS_LOG_LEVEL: 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    id: options.id,
    port: options.port,
    adminPort: options.port + 1000,
    child,
    output: () => output,
    exited: () => exit,
  };
}

/** Ends a node this test started: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopNode(node: NodeProcess, graceMs = 10_000): Promise<void> {
  if (node.child.exitCode !== null || node.child.signalCode !== null) return;
  const pid = node.child.pid;
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGCONT');
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }, graceMs);
  await node.exited();
  clearTimeout(timer);
}

/** Sends a signal to a node this test started (SIGKILL, SIGSTOP, SIGCONT). */
export function signalNode(node: NodeProcess, signal: NodeJS.Signals): void {
  const pid = node.child.pid;
  if (pid !== undefined && node.child.exitCode === null) process.kill(pid, signal);
}

/** Health as the admin endpoint reports it, or null when unreachable. */
export async function health(node: NodeProcess, token: string | null = null): Promise<{
  status: string;
  role: string;
  term: number;
  leader: string | null;
  commit_index: number;
  applied_index: number;
  voters: string[];
  learners: string[];
  cluster_id: string | null;
} | null> {
  try {
    const response = await fetch(`http://127.0.0.1:${node.adminPort}/health`, {
      signal: AbortSignal.timeout(1_000), headers: token === null ? {} : { authorization: `Bearer ${token}` },
    });
    if (!response.ok) return null;
    return (await response.json()) as Awaited<ReturnType<typeof health>>;
  } catch {
    return null;
  }
}

/** Polls `check` every 50 ms until it returns a value or `timeoutMs` passes. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | null | undefined> | T | null | undefined,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs the real CLI to completion (30 s limit); resolves with its exit code and output. */
export function runCli(
  args: readonly string[], env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const options = { timeout: 30_000, env: { ...process.env, ...env } };
  return new Promise((resolve) => {
    execFile(process.execPath, [CHRONOS_BIN, ...args], options, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}
