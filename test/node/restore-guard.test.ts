import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqlClient } from '../../src/api/grpc/index.js';
import { runChronos, scratchDirForBinaryTests } from '../cli/binary.js';
import { freeNodePort } from '../helpers/ports.js';
import { health, startNode, stopNode, waitFor } from '../helpers/node-process.js';

const scratch = scratchDirForBinaryTests('chronos-restore-guard-');

describe('chronos snapshot restore --force only replaces a dir nobody is using', () => {
  it("refuses a running node's dir; the node keeps every entry; once stopped, restore works", async () => {
    const cluster = join(scratch(), 'cluster');
    const nodeDir = join(cluster, 'node1');
    const port = await freeNodePort();
    const node = startNode({ id: 'node1', dataDir: cluster, port, peers: new Map() });
    const client = new SqlClient({ address: `127.0.0.1:${port}`, tls: null, token: null });
    const file = join(scratch(), 'node1.snap');
    try {
      await waitFor('leader', 15_000, async () => ((await health(node))?.role === 'Leader' ? true : null));
      await client.execute('CREATE TABLE m (id INT PRIMARY KEY)');
      await client.execute('INSERT INTO m VALUES (1), (2)');
      const backup = await fetch(`http://127.0.0.1:${port + 1000}/snapshot`);
      expect(backup.status).toBe(200);
      writeFileSync(file, Buffer.from(await backup.arrayBuffer()));
      await client.execute('INSERT INTO m VALUES (3)');

      const restore = await runChronos(['snapshot', 'restore', '-d', nodeDir, '-i', file, '--force']);
      expect(restore.stdout).toBe('');
      expect(restore.stderr).toBe(`Error: data dir '${nodeDir}' is in use by a running process ` +
        `(a node or session holds ${join(nodeDir, 'state')}); stop it before restoring\n`);
      expect(restore.code).toBe(1);

      await client.execute('INSERT INTO m VALUES (4)');
    } finally {
      client.close();
      await stopNode(node);
    }
    const after = await runChronos(['client', '-d', nodeDir, '--format', 'csv', '-e', 'SELECT id FROM m ORDER BY id']);
    expect(after).toEqual({ code: 0, stdout: 'id\n1\n2\n3\n4\n', stderr: '' });

    const stopped = await runChronos(['snapshot', 'restore', '-d', nodeDir, '-i', file, '--force']);
    expect(stopped.code, stopped.stderr).toBe(0);
    const restored = await runChronos(['client', '-d', nodeDir, '--format', 'csv', '-e', 'SELECT id FROM m ORDER BY id']);
    expect(restored.stdout).toBe('id\n1\n2\n');
  }, 60_000);

  it('--force does not wipe a dir that is not a ChronosDB dir', async () => {
    const single = join(scratch(), 'single');
    const file = join(scratch(), 'single.snap');
    expect((await runChronos(['client', '-d', single, '-e', 'CREATE TABLE t (a INT)'])).code).toBe(0);
    expect((await runChronos(['snapshot', 'create', '-d', single, '-o', file])).code).toBe(0);
    const home = join(scratch(), 'home');
    mkdirSync(home);
    writeFileSync(join(home, 'notes.txt'), 'keep me\n');
    const restore = await runChronos(['snapshot', 'restore', '-d', home, '-i', file, '--force']);
    expect(restore.stderr).toMatch(/^Error: '.+' is not empty and is not a ChronosDB data dir \(it holds notes\.txt\)[^\n]*\n$/);
    expect(restore.code).toBe(1);
    expect(readdirSync(home)).toEqual(['notes.txt']);
  }, 30_000);
});
