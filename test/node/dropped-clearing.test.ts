import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/node-process.js';
import { startSingleNode } from '../helpers/single-node.js';
import type { SingleNode } from '../helpers/single-node.js';

/** A node process clears a dropped table's keys after DROP TABLE answers, and says so in /metrics. */
describe('DROP TABLE on a node: cleared in the background, shown in /metrics', () => {
  let single: SingleNode;
  beforeAll(async () => {
    single = await startSingleNode('chronos-dropped-');
  });
  afterAll(() => single.stop());

  const metric = async (name: string): Promise<number> => {
    const text = await (await fetch(`http://127.0.0.1:${single.node.adminPort}/metrics`)).text();
    return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  };

  it('answers at once; the keys go in steps, and the gauge returns to 0', async () => {
    expect(await metric('chronos_storage_dropped_pending')).toBe(0);
    await single.client.execute('CREATE TABLE t (id INT PRIMARY KEY, v FLOAT)');
    await single.client.execute('CREATE INDEX t_v ON t (v)');
    await single.client.execute('INSERT INTO t SELECT g, g * 0.5 FROM generate_series(1, 5000) g');
    await single.client.execute('DROP TABLE t');
    await expect(single.client.execute('SELECT count(*) FROM t')).rejects.toThrow(/t/);
    // 5,000 rows and 5,000 index entries: several steps of 1,024 keys.
    await waitFor('the clearing', 30_000, async () => ((await metric('chronos_storage_dropped_pending')) === 0 ? true : null));
    expect(await metric('chronos_storage_dropped_keys_cleared_total')).toBeGreaterThanOrEqual(10_000);
    await single.client.execute('CREATE TABLE t (id INT PRIMARY KEY, v FLOAT)');
    const again = await single.client.execute('SELECT count(*) FROM t');
    expect(again.kind === 'rows' ? Number(again.rows[0]?.[0]) : -1).toBe(0);
  });
});
