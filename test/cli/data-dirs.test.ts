import { spawn } from 'node:child_process';
import {
  chmodSync, chownSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync,
  rmSync, writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, runChronos, scratchDirForBinaryTests } from './binary.js';
import type { RunResult } from './binary.js';
import { freeNodePort } from '../helpers/ports.js';
import { health, startNode, stopNode, waitFor } from '../helpers/node-process.js';

const MARKER = 'chronos-dir.json';
const scratch = scratchDirForBinaryTests('chronos-dirs-');

/** The contract for a refused dir: exit 1, nothing on stdout, one `Error:` line naming `what`. */
function expectOneLineError(run: RunResult, what: string, pattern: RegExp): void {
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(/^Error: [^\n]+\n$/);
  expect(run.stderr).toContain(what);
  expect(run.stderr).toMatch(pattern);
  expect(run.code).toBe(1);
}

/** A dir holding what an operator's own dir might hold. */
function foreignDir(name: string): string {
  const path = join(scratch(), name);
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, 'hosts'), '127.0.0.1 localhost\n');
  return path;
}

async function nodeRun(dataDir: string, id: string, extra: readonly string[] = []): Promise<RunResult> {
  const port = await freeNodePort();
  return runChronos(['node', '--id', id, '--data-dir', dataDir, '--address', `127.0.0.1:${port}`, ...extra],
    { timeoutMs: 20_000 });
}

function marker(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(path, MARKER), 'utf8')) as Record<string, unknown>;
}

/** Starts a one-node cluster in `dataDir` as `id`, waits until it leads and has named its cluster, stops it cleanly. */
async function makeNodeDir(dataDir: string, id: string): Promise<void> {
  const port = await freeNodePort();
  const node = startNode({ id, dataDir, port, peers: new Map() });
  try {
    await waitFor(`${id} to lead`, 15_000, async () => {
      const h = await health(node);
      return h?.role === 'Leader' && h.cluster_id !== null ? true : null;
    });
  } finally {
    await stopNode(node);
  }
}

describe('-d refuses what is not a ChronosDB dir, and writes nothing into it', () => {
  it('client -d, single-node -d and node -d on a non-empty foreign dir', async () => {
    const etc = foreignDir('etc');
    for (const argv of [
      ['client', '-d', etc, '-e', 'SELECT 1'],
      ['single-node', '-d', etc],
    ]) {
      expectOneLineError(await runChronos(argv), `'${etc}'`, /is not a ChronosDB data dir/);
    }
    expectOneLineError(await nodeRun(etc, 'node1'), `'${etc}'`, /is not a ChronosDB data dir/);
    expect(readdirSync(etc)).toEqual(['hosts']);
  });

  it('a new dir gets a marker naming its kind, node id and format', async () => {
    const single = join(scratch(), 'new-single');
    expect((await runChronos(['client', '-d', single, '-e', 'CREATE TABLE t (a INT)'])).code).toBe(0);
    expect(marker(single)).toEqual(
      { format: 'chronosdb-data-dir', version: 1, kind: 'single-node', node_id: null, cluster_id: null });
    // A fresh volume's lost+found, empty subdirs (another node's DIR/ID an instant after its
    // mkdir) and a marker half-written by a crash count as empty.
    const volume = join(scratch(), 'volume');
    mkdirSync(join(volume, 'lost+found', 'x'), { recursive: true });
    writeFileSync(join(volume, 'lost+found', 'x', 'file'), '');
    mkdirSync(join(volume, 'node2'));
    writeFileSync(join(volume, `${MARKER}.tmp`), '{"format":');
    expect((await runChronos(['client', '-d', volume, '-e', 'CREATE TABLE t (a INT)'])).code).toBe(0);
    expect(marker(volume)['kind']).toBe('single-node');
    const cluster = join(scratch(), 'new-cluster');
    await makeNodeDir(cluster, 'node1');
    expect(marker(join(cluster, 'node1'))).toEqual(
      { format: 'chronosdb-data-dir', version: 1, kind: 'node', node_id: 'node1', cluster_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
  }, 30_000);

  it('a single-node dir and a node dir are not mixed up', async () => {
    const single = join(scratch(), 'mix-single');
    expect((await runChronos(['client', '-d', single, '-e', 'CREATE TABLE t (a INT)'])).code).toBe(0);
    const before = readdirSync(single).sort();
    expectOneLineError(await nodeRun(single, 'node1'), `'${single}'`, /is a single-node data dir/);
    expect(readdirSync(single).sort()).toEqual(before);

    const cluster = join(scratch(), 'mix-cluster');
    await makeNodeDir(cluster, 'node1');
    const nodeDir = join(cluster, 'node1');
    // The guide's snapshot commands take DIR/ID; chronos node takes DIR. Say so.
    expectOneLineError(await nodeRun(nodeDir, 'node1'), `--data-dir ${cluster}`, /is the dir of node node1/);
    expect(existsSync(join(nodeDir, 'node1'))).toBe(false);
  }, 40_000);

  it("a node dir of another id, and a dir from a newer format, refuse", async () => {
    const cluster = join(scratch(), 'other-id');
    await makeNodeDir(cluster, 'node1');
    renameSync(join(cluster, 'node1'), join(cluster, 'node2'));
    expectOneLineError(await nodeRun(cluster, 'node2'), `'${join(cluster, 'node2')}'`,
      /belongs to node node1, not node2/);

    const newer = join(scratch(), 'newer');
    expect((await runChronos(['client', '-d', newer, '-e', 'CREATE TABLE t (a INT)'])).code).toBe(0);
    writeFileSync(join(newer, MARKER), JSON.stringify({ ...marker(newer), version: 99 }));
    expectOneLineError(await runChronos(['client', '-d', newer, '-e', 'SELECT * FROM t']), `'${newer}'`,
      /newer ChronosDB \(dir format 99; this build reads up to 1\)/);
    const newerNode = join(cluster, 'node2');
    writeFileSync(join(newerNode, MARKER), JSON.stringify({ ...marker(newerNode), node_id: 'node2', version: 2 }));
    expectOneLineError(await nodeRun(cluster, 'node2'), `'${newerNode}'`, /dir format 2/);
  }, 40_000);

  it('dirs made before markers keep opening, and get their marker', async () => {
    const single = join(scratch(), 'legacy-single');
    expect((await runChronos(['client', '-d', single, '-e', 'CREATE TABLE t (a INT); INSERT INTO t VALUES (7)'])).code).toBe(0);
    rmSync(join(single, MARKER));
    const read = await runChronos(['client', '-d', single, '--format', 'csv', '-e', 'SELECT a FROM t']);
    expect(read).toEqual({ code: 0, stdout: 'a\n7\n', stderr: '' });
    expect(marker(single)['kind']).toBe('single-node');

    const cluster = join(scratch(), 'legacy-cluster');
    await makeNodeDir(cluster, 'node1');
    rmSync(join(cluster, 'node1', MARKER));
    await makeNodeDir(cluster, 'node1');
    expect(marker(join(cluster, 'node1'))['node_id']).toBe('node1');
  }, 40_000);
});

describe('bad data dir paths are one clear line', () => {
  it('node -d <a file>, and a file where the node dir should be', async () => {
    const file = join(scratch(), 'a-file');
    writeFileSync(file, 'not a dir\n');
    expectOneLineError(await nodeRun(file, 'node1'), `'${file}'`, /is a file, not a directory/);
    const cluster = join(scratch(), 'file-in-place');
    await makeNodeDir(cluster, 'node1');
    writeFileSync(join(cluster, 'node2'), '');
    expectOneLineError(await nodeRun(cluster, 'node2'), `'${join(cluster, 'node2')}'`, /is a file/);
  }, 30_000);

  it('a dir the user cannot write into', async () => {
    // Root writes anywhere whatever the mode, so as root the node runs as nobody.
    const asRoot = process.getuid?.() === 0;
    const parent = join(scratch(), 'readonly');
    mkdirSync(parent);
    chmodSync(scratch(), 0o755);
    if (asRoot) chownSync(parent, 65534, 65534);
    chmodSync(parent, 0o500);
    const port = await freeNodePort();
    const run = await new Promise<RunResult>((resolve) => {
      const child = spawn(process.execPath,
        [BIN, 'node', '--id', 'node1', '--data-dir', join(parent, 'data'), '--address', `127.0.0.1:${port}`],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], ...(asRoot ? { uid: 65534, gid: 65534 } : {}) });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
    expectOneLineError(run, join(parent, 'data'), /cannot create node dir .*permission denied/i);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('a dir under one that takes no children (/proc), where a recursive mkdir of Node spins forever', async () => {
    expectOneLineError(await nodeRun('/proc/chronos-test-x', 'node1'), "'/proc/chronos-test-x", /ENOENT/);
    expectOneLineError(await runChronos(['single-node', '-d', '/proc/chronos-test-x'], { timeoutMs: 20_000 }),
      "'/proc/chronos-test-x'", /cannot create data dir .*ENOENT/);
  }, 45_000);

  it('a node dir a running node holds: the second node says the dir is in use', async () => {
    const dataDir = join(scratch(), 'held');
    const port = await freeNodePort();
    const node = startNode({ id: 'node1', dataDir, port, peers: new Map() });
    try {
      await waitFor('node1 to lead', 15_000, async () => ((await health(node))?.role === 'Leader' ? true : null));
      expectOneLineError(await nodeRun(dataDir, 'node1'), `${join(dataDir, 'node1', 'state')}`, /in use by another process/);
    } finally {
      await stopNode(node);
    }
  }, 45_000);
});
