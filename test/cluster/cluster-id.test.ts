import { readFileSync } from 'node:fs';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { health, runCli, startNode, stopNode, waitFor } from '../helpers/node-process.js';
import type { NodeProcess } from '../helpers/node-process.js';
import { ProcessCluster } from '../helpers/process-cluster.js';

const IDS = ['node1', 'node2', 'node3'] as const;
type Id = (typeof IDS)[number];

/** The cluster id a node dir's marker records. */
function markedCluster(dataDir: string, id: string): unknown {
  return (JSON.parse(readFileSync(join(dataDir, id, 'chronos-dir.json'), 'utf8')) as Record<string, unknown>)['cluster_id'];
}

/**
 * Cluster identity with real processes: cluster A (3 nodes) and cluster B (1 node, also
 * called node3) are born separately. B's dir started in A's node3 place, with A's members as
 * peers, exits with one line and leaves A as it was; a wiped dir joins A as the guide says.
 */
describe('every data dir records its cluster id, and a dir of another cluster cannot join', () => {
  let a: ProcessCluster<Id>;
  let b: ProcessCluster<'node3'>;
  let foreign: NodeProcess | null = null;
  let rows = 0;
  const clusterOf = async (node: NodeProcess): Promise<string> =>
    waitFor(`${node.id}'s cluster id`, 15_000, async () => (await health(node))?.cluster_id ?? null);
  const leaderOfA = (): Promise<{ id: Id; term: number }> =>
    waitFor('a leader of A', 15_000, async () => {
      for (const id of IDS) {
        const node = a.nodes.get(id);
        const h = node === undefined || node.child.exitCode !== null ? null : await health(node);
        if (h?.role === 'Leader') return { id, term: h.term };
      }
      return null;
    });
  const countVia = async (id: Id): Promise<number> => {
    const result = await a.client(id).execute('SELECT COUNT(*) FROM t');
    return result.kind === 'rows' ? Number(result.rows[0]?.[0]) : -1;
  };

  beforeAll(async () => {
    a = await ProcessCluster.create(IDS, await mkdtemp(join(tmpdir(), 'chronos-cluster-a-')));
    b = await ProcessCluster.create(['node3'] as const, await mkdtemp(join(tmpdir(), 'chronos-cluster-b-')));
    for (const id of IDS) a.launch(id);
    b.launch('node3');
    const { id } = await leaderOfA();
    await a.client(id).execute('CREATE TABLE t (id INT PRIMARY KEY)');
    for (rows = 1; rows <= 20; rows += 1) await a.client(id).execute(`INSERT INTO t (id) VALUES (${rows})`);
    rows -= 1;
    await b.client('node3').execute('CREATE TABLE other (id INT PRIMARY KEY)');
    const backup = await fetch(`http://127.0.0.1:${b.node('node3').adminPort}/snapshot`);
    await writeFile(join(b.dataDir, 'b.snap'), Buffer.from(await backup.arrayBuffer()));
  });

  afterAll(async () => {
    a.closeClients();
    b.closeClients();
    const all = [...a.nodes.values(), ...b.nodes.values(), ...(foreign === null ? [] : [foreign])];
    await Promise.all(all.map((node) => stopNode(node)));
    await rm(a.dataDir, { recursive: true, force: true });
    await rm(b.dataDir, { recursive: true, force: true });
  });

  it('names each cluster once: every member shows the same id in /health and its dir marker', async () => {
    const clusterA = await clusterOf(a.node('node1'));
    for (const id of IDS) {
      await waitFor(`${id} to know A's id`, 10_000, async () =>
        ((await health(a.node(id)))?.cluster_id === clusterA ? true : null));
      expect(markedCluster(a.dataDir, id)).toBe(clusterA);
    }
    const clusterB = await clusterOf(b.node('node3'));
    expect(clusterB).toMatch(/^[0-9a-f]{32}$/);
    expect(clusterB).not.toBe(clusterA);
    expect(markedCluster(b.dataDir, 'node3')).toBe(clusterB);
  });

  it("refuses B's dir started in A's node3 place: it exits with one line, A keeps its leader, term and data", async () => {
    const clusterA = await clusterOf(a.node('node1'));
    const clusterB = await clusterOf(b.node('node3'));
    await stopNode(b.node('node3'));
    await stopNode(a.node('node3'));
    const before = await leaderOfA();
    // The operator mounted B's volume where A's node3 lived and ran the guide's command for A.
    foreign = startNode({ id: 'node3', dataDir: b.dataDir, port: a.ports.get('node3') ?? 0,
      peers: new Map([['node1', a.ports.get('node1') ?? 0], ['node2', a.ports.get('node2') ?? 0]]) });
    const code = await Promise.race([foreign.exited(),
      new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 20_000))]);
    expect(code).not.toBe(0);
    expect(code).not.toBe('still running');
    const lines = foreign.output().split('\n').filter((line) => line.includes('belongs to cluster'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`node3's data dir belongs to cluster ${clusterB} but its peers are cluster ` +
      `${clusterA}: this dir is from another cluster; wipe it to join as a new node`);
    expect(markedCluster(b.dataDir, 'node3')).toBe(clusterB);
    const after = await leaderOfA();
    expect(after).toEqual(before);
    expect(await countVia(after.id)).toBe(rows);
  });

  it("refuses a backup of B restored into A's node3 dir the same way", async () => {
    const clusterA = await clusterOf(a.node('node1'));
    const clusterB = markedCluster(b.dataDir, 'node3');
    const before = await leaderOfA();
    const restored = await runCli(['snapshot', 'restore', '--data-dir', join(a.dataDir, 'node3'),
      '--input', join(b.dataDir, 'b.snap'), '--force']);
    expect(restored.stderr).toBe('');
    expect(markedCluster(a.dataDir, 'node3')).toBe(clusterB);
    const node3 = a.launch('node3');
    const code = await Promise.race([node3.exited(),
      new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 20_000))]);
    expect(code).toBe(1);
    expect(node3.output()).toContain(`node3's data dir belongs to cluster ${String(clusterB)} but its peers are ` +
      `cluster ${clusterA}`);
    expect(await leaderOfA()).toEqual(before);
  });

  it('takes a wiped node3 (the guide\'s Replace Failed Node): it catches up and records A\'s id', async () => {
    const clusterA = await clusterOf(a.node('node1'));
    const { id: current } = await leaderOfA();
    await rm(join(a.dataDir, 'node3'), { recursive: true, force: true });
    const node3 = a.launch('node3');
    await waitFor('node3 to catch up and know A', 20_000, async () => {
      const h = await health(node3);
      return h?.cluster_id === clusterA && !('recovering' in h) ? true : null;
    });
    expect(await waitFor('node3 to hold every row', 10_000, async () =>
      ((await countVia('node3').catch(() => -1)) === rows ? true : null))).toBe(true);
    expect(markedCluster(a.dataDir, 'node3')).toBe(clusterA);
    expect((await leaderOfA()).id).toBe(current);
  });

  it('keeps its id across a restart', async () => {
    const clusterA = await clusterOf(a.node('node1'));
    const { id: current } = await leaderOfA();
    const follower = IDS.find((id) => id !== current)!;
    await stopNode(a.node(follower));
    const restarted = a.launch(follower);
    expect(await clusterOf(restarted)).toBe(clusterA);
    expect(markedCluster(a.dataDir, follower)).toBe(clusterA);
  });
});

/**
 * A rolling upgrade: a member on an older version doesn't know the birth command and would stop
 * applying it, so the leader names the cluster only once every member answers Identify. The
 * older member is played by a bare gRPC server on node3's port (every call UNIMPLEMENTED).
 */
describe('the cluster is named only once every member can take the name', () => {
  let cluster: ProcessCluster<Id>;
  let bare: Server | null = null;

  beforeAll(async () => {
    cluster = await ProcessCluster.create(IDS, await mkdtemp(join(tmpdir(), 'chronos-cluster-upgrade-')));
  });

  afterAll(async () => {
    cluster.closeClients();
    bare?.forceShutdown();
    await Promise.all([...cluster.nodes.values()].map((node) => stopNode(node)));
    await rm(cluster.dataDir, { recursive: true, force: true });
  });

  it('waits while node3 does not answer Identify, and names it once node3 runs this version', async () => {
    const server = new Server();
    bare = server;
    await new Promise<void>((resolve, reject) => server.bindAsync(`127.0.0.1:${cluster.ports.get('node3')}`,
      ServerCredentials.createInsecure(), (error) => (error === null ? resolve() : reject(error))));
    cluster.launch('node1');
    cluster.launch('node2');
    const leader = await waitFor('a leader of node1, node2', 15_000, async () => {
      for (const id of ['node1', 'node2'] as const) {
        if ((await health(cluster.node(id)))?.role === 'Leader') return id;
      }
      return null;
    });
    await cluster.client(leader).execute('CREATE TABLE t (id INT PRIMARY KEY)');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    for (const id of ['node1', 'node2'] as const) expect((await health(cluster.node(id)))?.cluster_id).toBeNull();
    server.forceShutdown();
    bare = null;
    cluster.launch('node3');
    const named = await waitFor('every node named alike', 20_000, async () => {
      const ids = await Promise.all(IDS.map(async (id) => (await health(cluster.node(id)))?.cluster_id ?? null));
      return ids.every((clusterId) => clusterId !== null && clusterId === ids[0]) ? ids[0] : null;
    });
    expect(named).toMatch(/^[0-9a-f]{32}$/);
  });
});
