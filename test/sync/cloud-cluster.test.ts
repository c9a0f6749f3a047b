import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqlClient } from '../../src/api/grpc/index.js';
import { health, signalNode, startNode, stopNode, waitFor } from '../helpers/node-process.js';
import type { NodeProcess } from '../helpers/node-process.js';
import { freeNodePort } from '../helpers/ports.js';
import { ProcessCluster } from '../helpers/process-cluster.js';
import { syncStatus } from './sync-status-client.js';

const IDS = ['c1', 'c2', 'c3'] as const;
type Id = (typeof IDS)[number];

/**
 * An edge syncing into a 3-node cloud given as three URLs: the cloud's leader is SIGKILLed
 * while the edge drains a backlog; the edge follows the new leader (a Sync sent to a follower
 * reaches it) and every row arrives once.
 */
describe('edge sync into a 3-node cloud whose leader dies mid-drain', () => {
  let cloud: ProcessCluster<Id>;
  let edge: NodeProcess | null = null;
  const clients: SqlClient[] = [];

  afterAll(async () => {
    for (const client of clients) client.close();
    cloud.closeClients();
    if (edge !== null) await stopNode(edge);
    await Promise.all([...cloud.nodes.values()].map((node) => stopNode(node)));
    await rm(cloud.dataDir, { recursive: true, force: true });
  });

  it('delivers every row once', async () => {
    cloud = await ProcessCluster.create(IDS, await mkdtemp(join(tmpdir(), 'chronos-sync-cloud-')));
    for (const id of IDS) cloud.launch(id);
    const leader = (among: readonly Id[] = IDS): Promise<Id> => waitFor('a cloud leader', 20_000, async () => {
      for (const id of among) if ((await health(cloud.node(id)))?.role === 'Leader') return id;
      return null;
    });
    const first = await leader();
    const taken = new Set(cloud.ports.values());
    const edgePort = await freeNodePort(taken);
    const targets = IDS.map((id) => `http://127.0.0.1:${cloud.ports.get(id)}`).join(',');
    edge = startNode({ id: 'edge1', dataDir: cloud.dataDir, port: edgePort, peers: new Map(),
      extraArgs: ['--sync-target', targets, '--sync-interval-secs', '1', '--sync-batch-size', '20'] });
    const started = edge;
    // An edge that exits (its port taken meanwhile, say) or never leads says why in its output.
    await waitFor('the edge leading', 20_000, async () => {
      if (started.child.exitCode !== null) throw new Error(`the edge exited (${started.child.exitCode}):\n${started.output().slice(-2_000)}`);
      return (await health(started))?.role === 'Leader' ? true : null;
    }).catch((error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- edge output\n${started.output().slice(-2_000)}`);
    });
    const edgeSql = new SqlClient({ address: `127.0.0.1:${edgePort}`, tls: null, token: null, deadlineMs: 10_000 });
    clients.push(edgeSql);
    await edgeSql.execute('CREATE TABLE log (n INT PRIMARY KEY, note STRING)');
    for (let start = 1; start <= 600; start += 100) {
      await edgeSql.execute(`INSERT INTO log VALUES ${Array.from({ length: 100 }, (_, i) => `(${start + i}, 'n${start + i}')`).join(', ')}`);
    }
    await waitFor('the drain under way', 20_000, async () => {
      const pending = Number((await syncStatus(edgePort)).pendingOps);
      return pending < 560 ? true : null;
    });
    signalNode(cloud.node(first), 'SIGKILL');
    const next = await leader(IDS.filter((id) => id !== first));
    await waitFor('the edge outbox empty', 60_000, async () => {
      const status = await syncStatus(edgePort);
      return status.pendingOps === '0' && status.lastError === '' ? true : null;
    });
    const result = await cloud.client(next).execute('SELECT n FROM log ORDER BY n');
    expect(result.kind === 'rows' ? result.rows.map((row) => row[0]) : []).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
  }, 120_000);
});
