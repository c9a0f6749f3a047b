import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqlClient } from '../../src/api/grpc/index.js';
import { freeNodePort } from '../helpers/ports.js';
import { health, startNode, stopNode, waitFor } from '../helpers/node-process.js';
import type { NodeProcess } from '../helpers/node-process.js';

const DEVICES = 10;
const COMMITS = 60;
const PER_DEVICE = 30;

/** The value of a counter on the node's /metrics (0 when absent). */
async function counter(node: NodeProcess, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${node.adminPort}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
}

describe('background compaction on a real node', () => {
  let dir = '';
  let node: NodeProcess | null = null;
  let sql: SqlClient | null = null;
  afterAll(async () => {
    sql?.close();
    if (node !== null) await stopNode(node);
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('merges the small per-device blocks that folds leave, answers unchanged', async () => {
    dir = await mkdtemp(join(tmpdir(), 'chronos-compaction-'));
    const port = await freeNodePort();
    node = startNode({ id: 'n1', dataDir: dir, port, peers: new Map() });
    sql = new SqlClient({ address: `127.0.0.1:${port}`, tls: null, token: null, deadlineMs: 20_000 });
    await waitFor('the node leading', 20_000, async () => ((await health(node!))?.role === 'Leader' ? true : null));
    await sql.execute("CREATE TABLE r (device STRING, ts INT, v FLOAT, PRIMARY KEY (device, ts)) WITH (layout = 'columnar')");
    // Time-ordered commits of every device: each fold leaves a block of ~100 rows per device.
    for (let commit = 0; commit < COMMITS; commit++) {
      const values: string[] = [];
      for (let d = 0; d < DEVICES; d++) {
        for (let i = 0; i < PER_DEVICE; i++) values.push(`('d${d}', ${commit * PER_DEVICE + i}, ${(commit + i) / 4})`);
      }
      await sql.execute(`INSERT INTO r VALUES ${values.join(', ')}`);
    }
    const query = 'SELECT device, count(*), sum(v), min(ts), max(ts) FROM r GROUP BY device ORDER BY device';
    const before = await sql.execute(query);
    await waitFor('background compaction to merge blocks', 20_000, async () =>
      ((await counter(node!, 'chronos_storage_blocks_compacted_total')) > 0 ? true : null));
    expect(await sql.execute(query)).toEqual(before);
    expect(before).toMatchObject({ rows: expect.arrayContaining([['d3', COMMITS * PER_DEVICE, expect.any(Number), 0, COMMITS * PER_DEVICE - 1]]) });
  }, 60_000);
});
