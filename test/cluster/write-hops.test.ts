import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostClockMs } from '../../src/lib/index.js';
import { joinWriteHops } from '../../src/bench/write-hops.js';
import type { NodeHops } from '../../src/bench/write-hops.js';
import { health, stopNode, waitFor } from '../helpers/node-process.js';
import { ProcessCluster } from '../helpers/process-cluster.js';

const IDS = ['node1', 'node2', 'node3'] as const;
type Id = (typeof IDS)[number];

const LEADER_HOPS = ['received', 'proposed', 'walStart', 'walEnd', 'committed', 'applyStart', 'answered', 'applied'];
const FOLLOWER_HOPS = ['appendReceived', 'walStart', 'walEnd', 'ackSent', 'committed', 'applyStart', 'applied'];

describe('GET /debug/write-hops on a 3-node cluster', () => {
  let cluster: ProcessCluster<Id> | null = null;
  afterAll(async () => {
    if (cluster === null) return;
    cluster.closeClients();
    await Promise.all([...cluster.nodes.values()].map((node) => stopNode(node)));
    await rm(cluster.dataDir, { recursive: true, force: true });
  });

  it('traces each write through the leader and both followers, hop by hop', async () => {
    const started = await ProcessCluster.create(IDS, await mkdtemp(join(tmpdir(), 'chronos-hops-')));
    cluster = started;
    for (const id of IDS) started.launch(id);
    const leader = await waitFor('a leader', 20_000, async () => {
      for (const id of IDS) if ((await health(started.node(id)))?.role === 'Leader') return id;
      return null;
    });
    const since = hostClockMs();
    await started.client(leader).execute('CREATE TABLE t (id INT PRIMARY KEY, v STRING)');
    for (let i = 1; i <= 20; i++) await started.client(leader).execute(`INSERT INTO t VALUES (${i}, 'v${i}')`);
    // The followers learn the last commit with the leader's next message.
    const view = async (id: Id): Promise<NodeHops> => {
      const response = await fetch(`http://127.0.0.1:${started.node(id).adminPort}/debug/write-hops`);
      expect(response.status).toBe(200);
      return { id, entries: ((await response.json()) as { entries: NodeHops['entries'] }).entries };
    };
    const followers = IDS.filter((id) => id !== leader);
    const last = await waitFor('the followers applying the last write', 10_000, async () => {
      const views = await Promise.all(followers.map(view));
      return views.every((v) => v.entries.at(-1)?.at['applied'] !== undefined) ? views : null;
    });
    const own = await view(leader);
    const written = own.entries.filter((e) => e.at['received'] !== undefined && e.at['received'] >= since);
    expect(written.length).toBe(21);
    for (const { at } of written) {
      expect(Object.keys(at)).toEqual(expect.arrayContaining([...LEADER_HOPS, ...followers.flatMap((f) => [`sent:${f}`, `acked:${f}`])]));
      expect(at['walEnd']).toBeGreaterThanOrEqual(at['walStart'] ?? Infinity);
      expect(at['answered']).toBeGreaterThanOrEqual(at['committed'] ?? Infinity);
    }
    for (const follower of last) {
      const seen = follower.entries.find((e) => e.index === written[0]?.index);
      expect(Object.keys(seen?.at ?? {})).toEqual(expect.arrayContaining(FOLLOWER_HOPS));
    }
    const breakdown = joinWriteHops(own, last, since);
    expect(breakdown['writes']).toBe(21);
    // Clocks of local processes agree: a message arrives after it left.
    expect(breakdown['to follower']).toBeGreaterThan(0);
    expect(breakdown['to leader']).toBeGreaterThan(0);
  });
});
