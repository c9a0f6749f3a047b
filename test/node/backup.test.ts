import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlClient } from '../../src/api/grpc/index.js';
import { freeNodePort } from '../helpers/ports.js';
import { CHRONOS_BIN, health, startNode, stopNode, waitFor } from '../helpers/node-process.js';

const run = promisify(execFile);

/** Runs the real CLI; resolves with exit code and output instead of throwing. */
async function chronos(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return await chronosWith({}, ...args);
}

async function chronosWith(
  env: Record<string, string>, ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CHRONOS_BIN, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('chronos snapshot create / restore', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chronos-backup-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips a single-node dir and refuses a non-empty target without --force', async () => {
    const source = join(dir, 'single');
    const file = join(dir, 'single.snap');
    expect((await chronos('client', '-d', source, '-e', "CREATE TABLE t (id INT PRIMARY KEY, v STRING)")).code).toBe(0);
    expect((await chronos('client', '-d', source, '-e', "INSERT INTO t VALUES (1, 'a'), (2, 'b')")).code).toBe(0);
    const created = await chronos('snapshot', 'create', '--data-dir', source, '--output', file);
    expect(created.code).toBe(0);
    const target = join(dir, 'restored');
    expect((await chronos('snapshot', 'restore', '--data-dir', target, '--input', file)).code).toBe(0);
    const read = await chronos('client', '-d', target, '--format', 'json', '-e', 'SELECT id, v FROM t ORDER BY id');
    expect(read.stdout.trim()).toBe('{"columns":["id","v"],"rows":[[1,"a"],[2,"b"]]}');
    const again = await chronos('snapshot', 'restore', '--data-dir', target, '--input', file);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/not empty.*--force/);
    expect((await chronos('snapshot', 'restore', '--data-dir', target, '--input', file, '--force')).code).toBe(0);
  });

  it('refuses a corrupt backup with a clear message and leaves the target untouched', async () => {
    const source = join(dir, 'single');
    const file = join(dir, 'corrupt.snap');
    expect((await chronos('snapshot', 'create', '-d', source, '-o', file)).code).toBe(0);
    const bytes = await readFile(file);
    for (const offset of [3, 20, Math.floor(bytes.length / 2), bytes.length - 2]) {
      const damaged = Buffer.from(bytes);
      damaged[offset] = (damaged[offset] ?? 0) ^ 0xff;
      await writeFile(file, damaged);
      const restored = await chronos('snapshot', 'restore', '-d', join(dir, 'restored'), '-i', file, '--force');
      expect(restored.code, `flipped byte at ${offset}`).not.toBe(0);
      expect(restored.stderr).toMatch(/^Error: .*(corrupt|checksum|CRC|magic|rejected|truncated|malformed)/im);
      expect(restored.stderr).not.toMatch(/\n\s+at /); // no stack trace
      const still = await chronos('client', '-d', join(dir, 'restored'), '--format', 'csv', '-e', 'SELECT count(*) FROM t');
      expect(still.stdout).toBe('count(*)\n2\n');
    }
    await writeFile(file, bytes.subarray(0, bytes.length - 10));
    const truncated = await chronos('snapshot', 'restore', '-d', join(dir, 'restored'), '-i', file, '--force');
    expect(truncated.code).not.toBe(0);
  });

  it('backs up a stopped node and starts a node from the restored dir', async () => {
    const dataDir = join(dir, 'cluster');
    const port = await freeNodePort();
    let node = startNode({ id: 'node1', dataDir, port, peers: new Map() });
    const client = new SqlClient({ address: `127.0.0.1:${port}`, tls: null, token: null });
    try {
      await waitFor('leader', 15_000, async () => ((await health(node))?.role === 'Leader' ? true : null));
      await client.execute('CREATE TABLE readings (id INT PRIMARY KEY, value FLOAT)');
      await client.execute('INSERT INTO readings VALUES (1, 1.5), (2, 2.5), (3, 3.5)');
      await stopNode(node);
      const file = join(dir, 'node1.snap');
      // The cluster dir (what `chronos node -d` was given) names the node dir to give instead.
      const ofCluster = await chronos('snapshot', 'create', '-d', dataDir, '-o', file);
      expect(ofCluster.code).toBe(1);
      expect(ofCluster.stderr).toBe(`Error: ${dataDir} holds cluster nodes (node1); a snapshot is of one node's dir, e.g. -d ${join(dataDir, 'node1')}\n`);
      expect((await chronos('snapshot', 'create', '-d', join(dataDir, 'node1'), '-o', file)).code).toBe(0);
      const restoredData = join(dir, 'restored-cluster');
      expect((await chronos('snapshot', 'restore', '-d', join(restoredData, 'node1'), '-i', file)).code).toBe(0);
      node = startNode({ id: 'node1', dataDir: restoredData, port, peers: new Map() });
      await waitFor('leader after restore', 15_000, async () => ((await health(node))?.role === 'Leader' ? true : null));
      const result = await client.execute('SELECT sum(value) FROM readings');
      expect(result.kind === 'rows' ? result.rows : null).toEqual([[7.5]]);
      await client.execute('INSERT INTO readings VALUES (4, 4.5)');
      const after = await client.execute('SELECT count(*) FROM readings');
      expect(after.kind === 'rows' ? after.rows : null).toEqual([[4]]);
    } finally {
      client.close();
      await stopNode(node);
    }
  });
});

describe('GET /snapshot (online backup)', () => {
  it('streams a backup of a running node that chronos snapshot restore accepts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chronos-online-'));
    const port = await freeNodePort();
    const node = startNode({
      id: 'node1', dataDir: join(dir, 'cluster'), port, peers: new Map(),
      env: { CHRONOS_AUTH_TOKEN_ADMIN: 'adm', CHRONOS_AUTH_TOKEN_READONLY: 'ro' },
    });
    const client = new SqlClient({ address: `127.0.0.1:${port}`, tls: null, token: 'adm' });
    try {
      await waitFor('leader', 15_000, async () => {
        const response = await fetch(`http://127.0.0.1:${port + 1000}/health`, {
          headers: { authorization: 'Bearer adm' },
        }).catch(() => null);
        return response?.ok === true && ((await response.json()) as { role: string }).role === 'Leader' ? true : null;
      });
      await client.execute('CREATE TABLE m (id INT PRIMARY KEY, v STRING)');
      await client.execute("INSERT INTO m VALUES (1, 'one'), (2, 'two')");
      const url = `http://127.0.0.1:${port + 1000}/snapshot`;
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: 'Bearer ro' } })).status).toBe(403);
      const response = await fetch(url, { headers: { authorization: 'Bearer adm' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/octet-stream');
      const file = join(dir, 'online.snap');
      await writeFile(file, Buffer.from(await response.arrayBuffer()));
      // The node keeps serving writes after the backup.
      await client.execute("INSERT INTO m VALUES (3, 'three')");
      const restored = join(dir, 'restored', 'node1');
      const restore = await chronos('snapshot', 'restore', '-d', restored, '-i', file);
      expect(restore.code, restore.stderr).toBe(0);
      const read = await chronos('client', '-d', restored, '--format', 'csv', '-e', 'SELECT id, v FROM m ORDER BY id');
      expect(read.stdout).toBe('id,v\n1,one\n2,two\n');
      // The guide's cron line, on the running node's dir: fetched through GET /snapshot.
      const cron = join(dir, 'cron.snap');
      const nodeDir = join(dir, 'cluster', 'node1');
      const refused = await chronos('snapshot', 'create', '--data-dir', nodeDir, '--output', cron);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/answered 401: .*CHRONOS_AUTH_TOKEN_ADMIN/);
      // Before: "Error: cannot reach http://127.0.0.1:P/snapshot: ENOENT", though it was
      // the local folder that was missing, not the node.
      const lost = await chronosWith({ CHRONOS_AUTH_TOKEN_ADMIN: 'adm' },
        'snapshot', 'create', '-d', nodeDir, '-o', join(dir, 'no-such-folder', 'x.snap'));
      expect(lost.code).toBe(1);
      expect(lost.stderr).toBe(`Error: the output folder '${join(dir, 'no-such-folder')}' does not ` +
        `exist (-o ${join(dir, 'no-such-folder', 'x.snap')}); create it, or write the file somewhere else\n`);
      const created = await chronosWith({ CHRONOS_AUTH_TOKEN_ADMIN: 'adm' },
        'snapshot', 'create', '--data-dir', nodeDir, '--output', cron);
      expect(created.code, created.stderr).toBe(0);
      expect(created.stdout).toMatch(/^Snapshot of running node .* written to .*cron\.snap\n$/);
      const again = join(dir, 'again', 'node1');
      expect((await chronos('snapshot', 'restore', '-d', again, '-i', cron)).code).toBe(0);
      const all = await chronos('client', '-d', again, '--format', 'csv', '-e', 'SELECT id FROM m ORDER BY id');
      expect(all.stdout).toBe('id\n1\n2\n3\n');
    } finally {
      client.close();
      await stopNode(node);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
