import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/node-process.js';
import { freeNodePort } from '../helpers/ports.js';
import { edgeHarness } from './edge-harness.js';
import { syncStatus } from './sync-status-client.js';

/**
 * An edge whose table differs from the cloud's table of the same name (the edge was wiped and
 * its table made again with another column): the sync stops at that op, and the status and the
 * edge's log name the table, the difference and the statement that fixes it on the cloud.
 */
describe('a schema mismatch between edge and cloud, with real nodes', () => {
  const { makeDir, launch, sql, writable, drained } = edgeHarness();

  it('names the table, the column and the fix; after the fix on the cloud every op arrives', async () => {
    const dir = await makeDir('chronos-sync-schema-');
    const cloudPort = await freeNodePort();
    const edgePort = await freeNodePort(new Set([cloudPort]));
    launch({ id: 'cloud', dataDir: dir, port: cloudPort });
    await writable(cloudPort);
    await sql(cloudPort).execute('CREATE TABLE sensors (id INT, temp FLOAT)');
    const edge = launch({ id: 'edge1', dataDir: dir, port: edgePort,
      args: ['--sync-target', `http://127.0.0.1:${cloudPort}`, '--sync-interval-secs', '1'] });
    await writable(edgePort);
    await sql(edgePort).execute('CREATE TABLE sensors (id INT, temp FLOAT, device STRING)');
    await sql(edgePort).execute("INSERT INTO sensors VALUES (1, 25.5, 'sensor-01')");
    await sql(edgePort).execute('CREATE TABLE other (n INT)');
    await sql(edgePort).execute('INSERT INTO other VALUES (7)');

    const stuck = await waitFor('lastError naming the schema mismatch', 20_000, async () => {
      const status = await syncStatus(edgePort).catch(() => null);
      return status !== null && status.lastError !== '' ? status : null;
    });
    expect(stuck.pendingOps).toBe('4');
    expect(stuck.lastError).toMatch(/^schema mismatch at 127\.0\.0\.1:\d+: /);
    expect(stuck.lastError).toContain('table sensors');
    expect(stuck.lastError).toMatch(/column device STRING is on the edge but not on the target/);
    expect(stuck.lastError).toContain('ALTER TABLE sensors ADD COLUMN device STRING');
    expect(stuck.lastError).toMatch(/4 queued ops of this edge wait behind it/);
    expect(edge.output()).toContain('ALTER TABLE sensors ADD COLUMN device STRING');

    await sql(cloudPort).execute('ALTER TABLE sensors ADD COLUMN device STRING');
    await drained(edgePort);
    const sensors = await sql(cloudPort).execute('SELECT id, temp, device FROM sensors');
    expect(sensors.kind === 'rows' ? sensors.rows.map((row) => [...row]) : []).toEqual([[1, 25.5, 'sensor-01']]);
    const other = await sql(cloudPort).execute('SELECT n FROM other');
    expect(other.kind === 'rows' ? other.rows.map((row) => [...row]) : []).toEqual([[7]]);
  });
});
