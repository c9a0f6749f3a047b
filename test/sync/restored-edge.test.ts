import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, stopNode } from '../helpers/node-process.js';
import type { NodeProcess } from '../helpers/node-process.js';
import { freeNodePort } from '../helpers/ports.js';
import { edgeHarness } from './edge-harness.js';

/**
 * An edge restored from a backup (`chronos snapshot restore`, as docs/operations.md restores a
 * node) holds its outbox as the backup left it, while the target's cursor for the edge already
 * stands past the ops the edge wrote after the backup. Rows written after the restore must
 * still reach the target, not be skipped there as ops it already holds.
 */
describe('an edge restored from a backup', () => {
  const { makeDir, launch, sql, writable, drained } = edgeHarness();

  it('syncs the rows it takes after the restore', async () => {
    const dir = await makeDir('chronos-restored-edge-');
    const cloudPort = await freeNodePort();
    const edgePort = await freeNodePort(new Set([cloudPort]));
    const edgeDir = join(dir, 'edge');
    const edgeNode = (): NodeProcess => launch({ id: 'edge1', dataDir: edgeDir, port: edgePort,
      args: ['--sync-target', `http://127.0.0.1:${cloudPort}`, '--sync-interval-secs', '1'] });
    launch({ id: 'cloud', dataDir: join(dir, 'cloud'), port: cloudPort });
    await writable(cloudPort);
    const insert = async (from: number, to: number): Promise<void> => {
      for (let k = from; k <= to; k++) await sql(edgePort).execute(`INSERT INTO t VALUES (${k}, 'v${k}')`);
    };

    let edge = edgeNode();
    await writable(edgePort);
    await sql(edgePort).execute('CREATE TABLE t (k INT PRIMARY KEY, v STRING)');
    await insert(1, 3);
    await drained(edgePort);
    await stopNode(edge);
    const backup = join(dir, 'edge1.snapshot');
    const created = await runCli(['snapshot', 'create', '-d', join(edgeDir, 'edge1'), '-o', backup]);
    expect(created.code, created.stderr).toBe(0);

    edge = edgeNode();
    await writable(edgePort);
    await insert(4, 6);
    await drained(edgePort);
    await stopNode(edge);
    const restored = await runCli(['snapshot', 'restore', '-d', join(edgeDir, 'edge1'), '-i', backup, '--force']);
    expect(restored.code, restored.stderr).toBe(0);

    edgeNode();
    await writable(edgePort);
    const held = await sql(edgePort).execute('SELECT count(*) FROM t');
    expect(held.kind === 'rows' ? Number(held.rows[0]?.[0]) : -1).toBe(3);
    await insert(7, 9);
    await drained(edgePort);
    const onCloud = await sql(cloudPort).execute('SELECT k FROM t ORDER BY k');
    expect(onCloud.kind === 'rows' ? onCloud.rows.map((row) => Number(row[0])) : null).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  }, 120_000);
});
