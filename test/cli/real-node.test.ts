import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, BUILD_TIMEOUT_MS, ensureBuilt, runChronos } from './binary.js';

const ADMIN_OFFSET = 1000;
const PORT_TRIES_MAX = 20;
const POLL_MS = 100;
const WAIT_MS_MAX = 30_000;

let dir = '';
let child: ChildProcess | null = null;
let port = 0;

/** True when nothing listens on 127.0.0.1:`candidate` (0 = let the kernel pick). */
function listenOnce(candidate: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(null));
    server.listen(candidate, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : null;
      server.close(() => resolve(bound));
    });
  });
}

/** A free gRPC port whose admin port (port + 1000) is free as well. */
async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < PORT_TRIES_MAX; attempt += 1) {
    const candidate = await listenOnce(0);
    if (candidate === null || candidate + ADMIN_OFFSET > 65535) continue;
    if ((await listenOnce(candidate + ADMIN_OFFSET)) !== null) return candidate;
  }
  throw new Error('no free port pair found');
}

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'chronos-cli-node-'));
  port = await freePortPair();
  child = spawn(process.execPath, [BIN, 'node', '-i', 'n1', '-d', dir, '-a', `127.0.0.1:${port}`],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.resume();
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  const running = child;
  if (running !== null && running.exitCode === null) {
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe('the CLI against a real `chronos node`', () => {
  it('admin status, client --leader (-e, stdin, json), then client -d on the stopped dir', async () => {
    const http = `127.0.0.1:${port + ADMIN_OFFSET}`;
    let status = await runChronos(['admin', 'status', '--http', http]);
    for (let waited = 0; !status.stdout.includes('"Leader"') && waited < WAIT_MS_MAX;
      waited += POLL_MS) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      status = await runChronos(['admin', 'status', '--http', http]);
    }
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^\{"status":"ok","role":"Leader","term":\d+,.*\}\n$/);

    const leader = `127.0.0.1:${port}`;
    const created = await runChronos(['client', '--leader', leader, '-e',
      'CREATE TABLE s (id INT, v FLOAT); INSERT INTO s VALUES (1, 2.5), (2, NULL)']);
    expect(created).toEqual({
      code: 0, stderr: '', stdout: 'Table s created\nInserted into s\n',
    });
    const piped = await runChronos(['client', '--leader', leader, '--format', 'json'],
      { input: 'SELECT * FROM s ORDER BY id;\nSELECT nope FROM s;\nSELECT 1;\n' });
    expect(piped.code).toBe(1);
    expect(piped.stdout).toBe('{"columns":["id","v"],"rows":[[1,2.5],[2,null]]}\n');
    expect(piped.stderr).toMatch(/^Error: .*nope.*\n$/);

    const added = await runChronos(['admin', 'add-node', 'n2=127.0.0.1:1', '--http', http]);
    expect(added.stderr).toBe('');
    expect(JSON.parse(added.stdout)).toMatchObject({ status: 'ok', voters: ['n1'], learners: ['n2'] });
    const again = await runChronos(['admin', 'add-node', 'n2=127.0.0.1:1', '--http', http]);
    expect(again.stderr).toBe('note: n2 was already a member; nothing changed\n');
    const removed = await runChronos(['admin', 'remove-node', 'n2', '--http', http]);
    expect(JSON.parse(removed.stdout)).toMatchObject({ status: 'ok', voters: ['n1'], learners: [] });
    expect(removed.stderr).toBe('');
    const gone = await runChronos(['admin', 'remove-node', 'n2', '--http', http]);
    expect([gone.code, gone.stderr]).toEqual([0, 'note: n2 was not a member; nothing changed\n']);
    const last = await runChronos(['admin', 'remove-node', 'n1', '--http', http]);
    expect(last.code).toBe(1);
    expect(last.stderr).toMatch(/^Error: .*answered HTTP 400: n1 is the last voter; it cannot be removed\n$/);

    // The two ports swapped: each error says which port is which.
    const swappedGrpc = await runChronos(['client', '--leader', http, '-e', 'SELECT 1']);
    expect(swappedGrpc.stderr).toMatch(/does not speak gRPC \(is this the admin HTTP port\?/);
    const swappedHttp = await runChronos(['admin', 'status', '--http', leader]);
    expect(swappedHttp.stderr).toMatch(/does not answer HTTP \(HPE_\w+; is this the gRPC port\?/);

    const running = child;
    expect(running).not.toBeNull();
    const exited = new Promise<number | null>((resolve) => running?.once('exit', resolve));
    running?.kill('SIGTERM');
    expect(await exited).toBe(0);

    const local = await runChronos(['client', '-d', join(dir, 'n1'), '--format', 'csv', '-e',
      'SELECT * FROM s ORDER BY id']);
    expect(local).toEqual({ code: 0, stderr: '', stdout: 'id,v\n1,2.5\n2,\n' });
  });
});
