import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlClient } from '../../src/api/grpc/index.js';
import { TTL_PASS_ROWS_MAX } from '../../src/node/ttl-passes.js';
import { freeNodePort } from '../helpers/ports.js';
import { CHRONOS_BIN, health, startNode, stopNode, waitFor } from '../helpers/node-process.js';
import type { NodeProcess } from '../helpers/node-process.js';

function chronos(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CHRONOS_BIN, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

describe('expired rows go away (WITH TTL, --ttl-cleanup-interval-secs)', () => {
  let dir = '';
  let node: NodeProcess;
  let client: SqlClient;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chronos-ttl-'));
    const port = await freeNodePort();
    node = startNode({
      id: 'node1', dataDir: join(dir, 'cluster'), port, peers: new Map(),
      extraArgs: ['--ttl-cleanup-interval-secs', '1'],
    });
    client = new SqlClient({ address: `127.0.0.1:${port}`, tls: null, token: null });
    await waitFor('leader', 15_000, async () => ((await health(node))?.role === 'Leader' ? true : null));
  });
  afterAll(async () => {
    client.close();
    await stopNode(node);
    await rm(dir, { recursive: true, force: true });
  });

  it('a node deletes rows once their TTL has passed, and keeps the others', async () => {
    await client.execute('CREATE TABLE readings (id INT, value FLOAT) WITH TTL=2s');
    await client.execute('CREATE TABLE kept (id INT)');
    await client.execute('INSERT INTO readings VALUES (1, 1.5), (2, 2.5)');
    await client.execute('INSERT INTO kept VALUES (1)');
    const count = async (table: string): Promise<number> => {
      const result = await client.execute(`SELECT count(*) FROM ${table}`);
      return result.kind === 'rows' ? Number(result.rows[0]?.[0]) : -1;
    };
    expect(await count('readings')).toBe(2);
    await waitFor('the TTL pass', 10_000, async () => ((await count('readings')) === 0 ? true : null));
    expect(await count('kept')).toBe(1);
    await waitFor('the log line', 5_000, () => (/TTL pass removed expired rows/.test(node.output()) ? true : null));
    // What an operator watches: the passes, the rows they removed, when the last one ran.
    const metrics = await (await fetch(`http://127.0.0.1:${node.adminPort}/metrics`)).text();
    const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
    expect(value('chronos_ttl_passes_total')).toBeGreaterThanOrEqual(1);
    expect(value('chronos_ttl_rows_expired_total')).toBe(2);
    expect(Math.abs(value('chronos_ttl_last_pass_timestamp_seconds') - Date.now() / 1000)).toBeLessThan(30);
  });

  it('deletes many expired rows in passes of at most TTL_PASS_ROWS_MAX rows each', async () => {
    await client.execute('CREATE TABLE bulk (id INT PRIMARY KEY, v FLOAT) WITH TTL=1s');
    await client.execute(`INSERT INTO bulk SELECT g, g * 0.5 FROM generate_series(1, ${2.5 * TTL_PASS_ROWS_MAX}) g`);
    await waitFor('the bounded passes', 30_000, async () => {
      const result = await client.execute('SELECT count(*) FROM bulk');
      return result.kind === 'rows' && Number(result.rows[0]?.[0]) === 0 ? true : null;
    });
    const passes = [...node.output().matchAll(/TTL pass removed expired rows index=\d+ deleted=(\d+)( moreLeft=true)?/g)]
      .map((match) => [Number(match[1]), match[2] !== undefined]);
    expect(passes.filter(([deleted]) => Number(deleted) > 2))
      .toEqual([[TTL_PASS_ROWS_MAX, true], [TTL_PASS_ROWS_MAX, true], [TTL_PASS_ROWS_MAX / 2, false]]);
  });

  it('a single-node dir runs the pass when it opens', async () => {
    const single = join(dir, 'single');
    await chronos(['client', '-d', single, '-e', 'CREATE TABLE t (v INT) WITH TTL=1s']);
    await chronos(['client', '-d', single, '-e', 'INSERT INTO t VALUES (1), (2)']);
    const first = await chronos(['client', '-d', single, '--format', 'csv', '-e', 'SELECT count(*) FROM t']);
    expect(['count(*)\n2\n', 'count(*)\n0\n']).toContain(first.stdout); // 0 only on a slow machine
    // Each open runs the pass; once a second has gone by, the rows are gone.
    await waitFor('the rows to expire', 10_000, async () => {
      const after = await chronos(['client', '-d', single, '--format', 'csv', '-e', 'SELECT count(*) FROM t']);
      return after.stdout === 'count(*)\n0\n' ? true : null;
    });
  });
});
