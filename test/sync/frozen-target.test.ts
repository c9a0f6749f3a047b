import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signalNode, waitFor } from '../helpers/node-process.js';
import { freeNodePort } from '../helpers/ports.js';
import { edgeHarness } from './edge-harness.js';
import { connectivity, syncStatus } from './sync-status-client.js';

/**
 * A target that stops answering but keeps its sockets open (SIGSTOP, a hung host) leaves a batch
 * in flight. The edge must notice well before the batch's 30 s deadline: its status says the
 * target is unreachable, and once the target runs again the batch goes through once.
 */
describe('an edge whose target freezes mid-sync', () => {
  const { makeDir, launch, sql, writable, drained } = edgeHarness();

  it('reports the target unreachable within ~10 s, then delivers once it runs again', async () => {
    const dir = await makeDir('chronos-frozen-target-');
    const cloudPort = await freeNodePort();
    const edgePort = await freeNodePort(new Set([cloudPort]));
    const cloud = launch({ id: 'cloud', dataDir: join(dir, 'cloud'), port: cloudPort });
    launch({ id: 'edge1', dataDir: join(dir, 'edge'), port: edgePort,
      args: ['--sync-target', `http://127.0.0.1:${cloudPort}`, '--sync-interval-secs', '1'] });
    await writable(cloudPort);
    await writable(edgePort);
    await sql(edgePort).execute('CREATE TABLE t (k INT PRIMARY KEY, v STRING)');
    await drained(edgePort);

    signalNode(cloud, 'SIGSTOP');
    try {
      const frozenAt = Date.now();
      await sql(edgePort).execute("INSERT INTO t VALUES (1, 'one'), (2, 'two')");
      // Keepalive: a ping every 5 s, dropped after 5 s unanswered; 20 s is well inside the 30 s deadline.
      await waitFor('the edge to report the frozen target', 20_000, async () => {
        const status = await syncStatus(edgePort);
        return status.lastError !== '' ? status : null;
      });
      expect(Date.now() - frozenAt).toBeLessThan(20_000);
      expect((await syncStatus(edgePort)).lastError).toMatch(/unreachable/);
      expect(await connectivity(edgePort)).not.toBe('Connected');
    } finally {
      signalNode(cloud, 'SIGCONT');
    }
    await drained(edgePort);
    const rows = await sql(cloudPort).execute('SELECT k, v FROM t ORDER BY k');
    expect(rows.kind === 'rows' ? rows.rows.map((row) => [Number(row[0]), row[1]]) : null).toEqual([[1, 'one'], [2, 'two']]);
  }, 90_000);

  it('reports a target frozen before the edge started within ~10 s (its cursor check gives up)', async () => {
    const dir = await makeDir('chronos-frozen-first-');
    const cloudPort = await freeNodePort();
    const edgePort = await freeNodePort(new Set([cloudPort]));
    const cloud = launch({ id: 'cloud', dataDir: join(dir, 'cloud'), port: cloudPort });
    await writable(cloudPort);
    signalNode(cloud, 'SIGSTOP');
    try {
      const startedAt = Date.now();
      launch({ id: 'edge1', dataDir: join(dir, 'edge'), port: edgePort,
        args: ['--sync-target', `http://127.0.0.1:${cloudPort}`, '--sync-interval-secs', '1'] });
      const status = await waitFor('the edge to report the frozen target', 25_000, async () => {
        const seen = await syncStatus(edgePort).catch(() => null);
        return seen !== null && seen.lastError !== '' ? seen : null;
      });
      expect(Date.now() - startedAt).toBeLessThan(25_000);
      expect(status.lastError).toMatch(/unreachable/);
    } finally {
      signalNode(cloud, 'SIGCONT');
    }
    await waitFor('the edge Connected once the target runs', 20_000, async () => ((await connectivity(edgePort)) === 'Connected' ? true : null));
  }, 90_000);
});
