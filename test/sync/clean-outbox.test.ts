import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stopNode, waitFor } from '../helpers/node-process.js';
import { connectivity } from './sync-status-client.js';
import type { NodeProcess } from '../helpers/node-process.js';
import { freeNodePort } from '../helpers/ports.js';
import { edgeHarness } from './edge-harness.js';

/** Ends after `ms` unless the process exits first: its exit code, or 'running'. */
function exitWithin(node: NodeProcess, ms: number): Promise<number | null | 'running'> {
  return Promise.race([node.exited(), new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), ms))]);
}

/**
 * The guide restarts its edge with `--clean`. SPEC §6: nothing queued is lost, so `--clean`
 * refuses while the outbox holds ops the target has not acknowledged, and works once it is empty.
 */
describe('--clean on an edge with real nodes', () => {
  const { makeDir, launch, sql, writable, drained } = edgeHarness();

  it('refuses --clean while ops are queued, keeps them, and wipes once they have synced', async () => {
    const dir = await makeDir('chronos-clean-outbox-');
    const cloudPort = await freeNodePort();
    const edgePort = await freeNodePort(new Set([cloudPort]));
    const edgeArgs = ['--sync-target', `http://127.0.0.1:${cloudPort}`, '--sync-interval-secs', '1'];
    const edgeNode = (args: string[]): NodeProcess => launch({ id: 'edge1', dataDir: join(dir, 'edge'), port: edgePort, args });
    const cloudNode = (args: string[]): NodeProcess => launch({ id: 'cloud', dataDir: join(dir, 'cloud'), port: cloudPort, args });
    // The cloud is not up yet: every write stays queued on the edge.
    let edge = edgeNode(['--clean', ...edgeArgs]);
    await writable(edgePort);
    await sql(edgePort).execute('CREATE TABLE sensors (id INT, temp FLOAT, device STRING)');
    await sql(edgePort).execute("INSERT INTO sensors VALUES (1, 25.5, 'sensor-01')");
    await sql(edgePort).execute("INSERT INTO sensors VALUES (2, 30.0, 'sensor-02')");
    await stopNode(edge);

    edge = edgeNode(['--clean', ...edgeArgs]);
    const code = await exitWithin(edge, 15_000);
    expect(code).not.toBe('running');
    expect(code).not.toBe(0);
    const lines = edge.output().trim().split('\n').filter((line) => line.startsWith('Error:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/--clean refused: .* holds 3 operations queued for the sync target/);
    expect(lines[0]).toMatch(/would be lost/);
    expect(lines[0]).toMatch(/restart without --clean/);
    expect(existsSync(join(dir, 'edge', 'edge1', 'wal'))).toBe(true);

    // Without --clean the rows are still there, and they reach the cloud once it is up.
    edge = edgeNode(edgeArgs);
    await writable(edgePort);
    const kept = await sql(edgePort).execute('SELECT count(*) FROM sensors');
    expect(kept.kind === 'rows' ? Number(kept.rows[0]?.[0]) : -1).toBe(2);
    const cloud = cloudNode([]);
    await writable(cloudPort);
    await drained(edgePort);
    await stopNode(edge);

    // Nothing queued: --clean wipes as the guide expects.
    edge = edgeNode(['--clean', ...edgeArgs]);
    await writable(edgePort);
    const wiped = await sql(edgePort).execute('SHOW TABLES');
    expect(wiped.kind === 'rows' ? wiped.rows : null).toEqual([]);
    // The cloud's cursor for edge1 is above the wiped outbox's ids, and that is no cause for a warning.
    await waitFor('the wiped edge to reach the cloud', 15_000, async () => ((await connectivity(edgePort)) === 'Connected' ? true : null));
    expect(edge.output()).not.toContain('another edge also runs');

    // The cloud is not an edge: --clean wipes it even though it holds rows.
    await stopNode(cloud);
    cloudNode(['--clean']);
    await writable(cloudPort);
    const cloudTables = await sql(cloudPort).execute('SHOW TABLES');
    expect(cloudTables.kind === 'rows' ? cloudTables.rows : null).toEqual([]);
  });
});
