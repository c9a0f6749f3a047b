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

  it('a CREATE INDEX over 60,000 rows is built in passes on every node, across a leader change, with writes between', async () => {
    const first = await leader();
    const client = cluster.client(first);
    await client.execute('CREATE TABLE big (id INT PRIMARY KEY, g INT)');
    await client.execute('INSERT INTO big SELECT n, n % 100 FROM generate_series(1, 60000) n');
    const created = await client.execute('CREATE INDEX big_g ON big (g)');
    expect(created).toMatchObject({ kind: 'message', message: expect.stringMatching(/^Index big_g created; .*background passes/) });
    // Rows ahead of the build's cursor and behind it change while it runs; the old leader goes.
    await client.execute('UPDATE big SET g = 7 WHERE id IN (2, 59999)');
    await client.execute('DELETE FROM big WHERE id IN (7, 59907)');
    await stopNode(cluster.node(first));
    const next = await leader();
    await cluster.client(next).execute('INSERT INTO big VALUES (60001, 7)');
    const counted = '[[601]]';
    for (const id of IDS.filter((other) => other !== first)) {
      await waitFor(`${id} to finish the build`, 30_000, async () =>
        (String(await rowsVia(id, 'DESCRIBE big')).includes('"big_g"') ? true : null));
      expect(await rowsVia(id, 'EXPLAIN SELECT id FROM big WHERE g = 7'), id).toMatch(/INDEX RANGE big\.big_g/);
      expect(await rowsVia(id, 'SELECT count(*) FROM big WHERE g = 7'), id).toBe(counted);
      expect(await rowsVia(id, 'SELECT count(*) FROM big WHERE g + 0 = 7'), id).toBe(counted);
      const metrics = await (await fetch(`http://127.0.0.1:${cluster.node(id).adminPort}/metrics`)).text();
      expect(metrics, id).toMatch(/^chronos_storage_indexes_building 0$/m);
    }
    // The old leader comes back to a finished index, by log or by snapshot.
    cluster.launch(first);
    await waitFor(`${first} back with the index`, 30_000, async () =>
      ((await rowsVia(first, 'SELECT count(*) FROM big WHERE g = 7').catch(() => null)) === counted ? true : null));
    expect(await rowsVia(first, 'DESCRIBE big')).toContain('"big_g"');
  });
});
