import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { health, stopNode, waitFor } from '../helpers/node-process.js';
import { ProcessCluster } from '../helpers/process-cluster.js';

const IDS = ['node1', 'node2', 'node3'] as const;
type Id = (typeof IDS)[number];

/**
 * ALTER TABLE replicates as statement text and every replica rewrites its own rows: a follower
 * that missed the ALTERs catches up by snapshot (the log is compacted every 40 entries), and
 * every node, also after a restart, answers the same rows.
 */
describe('ALTER TABLE on a 3-node cluster', () => {
  let cluster: ProcessCluster<Id>;
  const leader = (): Promise<Id> =>
    waitFor('a leader', 10_000, async () => {
      for (const id of IDS) {
        const node = cluster.nodes.get(id);
        if (node !== undefined && (await health(node))?.role === 'Leader') return id;
      }
      return null;
    });
  const rowsVia = async (id: Id, sql: string): Promise<unknown> => {
    const result = await cluster.client(id).execute(sql);
    return result.kind === 'rows' ? JSON.stringify(result.rows, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v)) : null;
  };

  beforeAll(async () => {
    cluster = await ProcessCluster.create(IDS, await mkdtemp(join(tmpdir(), 'chronos-alter-')),
      { CHRONOS_SNAPSHOT_EVERY_ENTRIES: '40' });
    for (const id of IDS) cluster.launch(id);
    const id = await leader();
    await cluster.client(id).execute('CREATE TABLE readings (id INT PRIMARY KEY, device STRING, v FLOAT)');
    for (let i = 1; i <= 30; i++) {
      await cluster.client(id).execute(`INSERT INTO readings VALUES (${i}, 'd${i % 4}', ${i * 1.5})`);
    }
  });

  afterAll(async () => {
    cluster.closeClients();
    await Promise.all([...cluster.nodes.values()].map((node) => stopNode(node)));
    await rm(cluster.dataDir, { recursive: true, force: true });
  });

  it('a follower that missed the ALTERs catches up by snapshot; every node agrees, also after a restart', async () => {
    const current = await leader();
    const lagging = IDS.find((id) => id !== current) as Id;
    await stopNode(cluster.node(lagging));
    const client = cluster.client(current);
    for (const sql of [
      'ALTER TABLE readings ADD COLUMN humidity INT',
      'UPDATE readings SET humidity = id * 2 WHERE id % 3 = 0',
      'CREATE INDEX by_device ON readings (device)',
      'ALTER TABLE readings DROP COLUMN device',
      'ALTER TABLE readings RENAME COLUMN v TO temp',
      'ALTER TABLE readings RENAME TO r2',
    ]) await client.execute(sql);
    for (let i = 31; i <= 80; i++) await client.execute(`INSERT INTO r2 VALUES (${i}, ${i * 1.5}, ${i})`);
    const query = 'SELECT * FROM r2 ORDER BY id';
    const expected = await rowsVia(current, query);
    expect(String(expected)).toContain('[3,4.5,6]');
    cluster.launch(lagging);
    await waitFor(`${lagging} to catch up`, 20_000, async () =>
      ((await rowsVia(lagging, query).catch(() => null)) === expected ? true : null));
    for (const id of IDS) expect(await rowsVia(id, query), id).toBe(expected);
    await stopNode(cluster.node(current));
    cluster.launch(current);
    await waitFor(`${current} back`, 20_000, async () =>
      ((await rowsVia(current, query).catch(() => null)) === expected ? true : null));
  });
});
