import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';

/** The repository root (test/cli/../..). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The real launcher users run. */
export const BIN = join(ROOT, 'bin', 'chronos');

/** What a finished `bin/chronos` run produced. */
export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtimeMs(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Long enough for a full `tsc` build on a busy two-core machine. */
export const BUILD_TIMEOUT_MS = 240_000;

/**
 * Builds dist/ with tsc when dist/cli/main.js is missing or older than src/cli (`npm test`
 * builds first, so this is a no-op there). tsc emits even when another folder has type
 * errors; those are ignored.
 */
export function ensureBuilt(): void {
  const main = join(ROOT, 'dist', 'cli', 'main.js');
  if (existsSync(main) && statSync(main).mtimeMs >= newestMtimeMs(join(ROOT, 'src', 'cli'))) {
    return;
  }
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.json'],
      { cwd: ROOT, stdio: 'ignore', timeout: BUILD_TIMEOUT_MS });
  } catch {
    // Type errors elsewhere still emit JavaScript; a missing main.js is caught below.
  }
  if (!existsSync(main)) throw new Error(`build did not produce ${main}`);
}

/** How a child runs: stdin text, extra environment, time limit. */
export interface RunOptions {
  readonly input?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
}

/** Runs `bin/chronos argv` with `input` on stdin (a pipe), bounded by `timeoutMs`. */
export function runChronos(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return runNode([BIN, ...argv], options);
}

/** Runs `node args` from the repository root (the child is killed after `timeoutMs`). */
export function runNode(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', (error) => { clearTimeout(timer); reject(error); });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/**
 * For a test file that runs the binary on scratch dirs: builds dist/ before its tests, gives a
 * fresh temporary dir (read it inside tests), and removes the dir after them.
 */
export function scratchDirForBinaryTests(prefix: string): () => string {
  let dir = '';
  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), prefix));
  }, BUILD_TIMEOUT_MS);
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return () => dir;
}
