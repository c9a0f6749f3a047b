import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, stopNode, waitFor } from '../helpers/node-process.js';
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

    const restoredEdge = edgeNode();
    await writable(edgePort);
    const held = await sql(edgePort).execute('SELECT count(*) FROM t');
    expect(held.kind === 'rows' ? Number(held.rows[0]?.[0]) : -1).toBe(3);
    await insert(7, 9);
    await drained(edgePort);
    const onCloud = await sql(cloudPort).execute('SELECT k FROM t ORDER BY k');
    expect(onCloud.kind === 'rows' ? onCloud.rows.map((row) => Number(row[0])) : null).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // The cursor it found above its own ids is said once, as expected after a restore.
    expect(restoredEdge.output().split('above every op id this edge numbered').length - 1).toBe(1);
  }, 120_000);

  it('two edges started with one --id: the one whose queued ops fall below the other\'s says so', async () => {
    const dir = await makeDir('chronos-shared-id-');
    const cloudPort = await freeNodePort();
    const ports = [await freeNodePort(new Set([cloudPort]))];
    ports.push(await freeNodePort(new Set([cloudPort, ports[0] as number])));
    const [firstPort, secondPort] = ports as [number, number];
    const edgeNode = (name: string, port: number): NodeProcess => launch({ id: 'edge1', dataDir: join(dir, name), port,
      args: ['--sync-target', `http://127.0.0.1:${cloudPort}`, '--sync-interval-secs', '1'] });
    // The first edge queues a row while the cloud is down, and stops.
    let first = edgeNode('first', firstPort);
    await writable(firstPort);
    await sql(firstPort).execute('CREATE TABLE t (k INT PRIMARY KEY, v STRING)');
    await sql(firstPort).execute("INSERT INTO t VALUES (1, 'first')");
    await stopNode(first);
    // The second, with the same id, writes later and delivers first: the cloud's cursor passes the first's ops.
    edgeNode('second', secondPort);
    await writable(secondPort);
    await sql(secondPort).execute('CREATE TABLE t (k INT PRIMARY KEY, v STRING)');
    await sql(secondPort).execute("INSERT INTO t VALUES (2, 'second')");
    launch({ id: 'cloud', dataDir: join(dir, 'cloud'), port: cloudPort });
    await writable(cloudPort);
    await drained(secondPort);
    first = edgeNode('first', firstPort);
    await writable(firstPort);
    await waitFor('the first edge to warn', 20_000, () =>
      (first.output().includes('if another edge also runs with --id edge1') ? true : null));
    expect(first.output()).toMatch(/WARN {2}sync: the sync target holds ops of edge id edge1 up to \d+, above every op id this edge numbered \(\d+\)/);
  }, 120_000);
});
