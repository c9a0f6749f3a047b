import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, scratchDirForBinaryTests } from './binary.js';
import { freeNodePort } from '../helpers/ports.js';
import { waitFor } from '../helpers/node-process.js';

const scratch = scratchDirForBinaryTests('chronos-npm-start-');

/** The parent pid of `pid` from /proc, or null once it is gone. */
function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces, so read after its closing parenthesis.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

/** Every live process below `root` (children, grandchildren, ...). */
function descendants(root: number): number[] {
  const pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
  const found: number[] = [];
  let frontier = [root];
  for (let depth = 0; depth < 5 && frontier.length > 0; depth++) {
    const next = pids.filter((pid) => frontier.includes(parentOf(pid) ?? -1));
    found.push(...next);
    frontier = next;
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start', () => {
  it('the node dies with npm: SIGTERM to the npm process stops it cleanly', async () => {
    const port = await freeNodePort();
    const npm = spawn('npm', ['start', '--', '--address', `127.0.0.1:${port}`, '--data-dir', join(scratch(), 'data')], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CHRONOS_LOG_LEVEL: 'info' },
    });
    let output = '';
    npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const npmExit = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
    let below: number[] = [];
    try {
      await waitFor('the node to serve', 30_000, async () => {
        const response = await fetch(`http://127.0.0.1:${port + 1000}/health`).catch(() => null);
        return response?.ok === true ? true : null;
      });
      below = descendants(npm.pid as number);
      expect(below.length).toBeGreaterThan(0);
      process.kill(npm.pid as number, 'SIGTERM');
      await npmExit;
      await waitFor('every process npm started to exit', 5_000, () => (below.some(alive) ? null : true));
      expect(output).toMatch(/SIGTERM: shutting down/);
      expect(output).toMatch(/node stopped id=node1/);
    } finally {
      // Kill only what this test started, by PID, should the check above have failed.
      for (const pid of [npm.pid as number, ...below]) {
        if (alive(pid)) process.kill(pid, 'SIGKILL');
      }
    }
  }, 60_000);
});
