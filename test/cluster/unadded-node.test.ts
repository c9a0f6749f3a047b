import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { health, stopNode, waitFor } from '../helpers/node-process.js';
import { ProcessCluster } from '../helpers/process-cluster.js';

const IDS = ['node1', 'node2', 'node3', 'node4'] as const;
type Id = (typeof IDS)[number];

/**
 * A node started with `--peers` of a running cluster but never added (`chronos admin add-node`)
 * campaigns forever and the members reject it. Both sides say so in their logs, naming the
 * command that fixes it, instead of the silence a user once met.
 */
describe('a node started against a running cluster without add-node', () => {
  let cluster: ProcessCluster<Id> | null = null;
  let dir = '';
  afterEach(async () => {
    cluster?.closeClients();
    await Promise.all(IDS.map((id) => (cluster?.nodes.get(id) === undefined ? undefined : stopNode(cluster.node(id)))));
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('logs on the members that it is not one, and on it what the peers answer and what to run', async () => {
    dir = await mkdtemp(join(tmpdir(), 'chronos-unadded-'));
    const running = await ProcessCluster.create(IDS, dir);
    cluster = running;
    for (const id of IDS.slice(0, 3)) running.launch(id, IDS.slice(0, 3));
    await waitFor('a leader', 15_000, async () => {
      for (const id of IDS.slice(0, 3)) if ((await health(running.node(id)))?.role === 'Leader') return true;
      return null;
    });
    const stray = running.launch('node4', IDS);
    const address = `127.0.0.1:${running.ports.get('node4')}`;
    const strayLine = await waitFor('node4 to say why it has no leader', 25_000, async () =>
      stray.output().split('\n').find((line) => line.includes('WARN  raft: no leader for')) ?? null);
    expect(strayLine).toMatch(/node1 \(127\.0\.0\.1:\d+\), node2 \(127\.0\.0\.1:\d+\), node3 \(127\.0\.0\.1:\d+\): answers, of cluster [0-9a-f]{32}/);
    expect(strayLine).toContain(`they run a cluster this node has not joined: add it with chronos admin add-node node4=${address} --http`);
    for (const id of IDS.slice(0, 3)) {
      expect(running.node(id).output()).toMatch(/WARN {2}raft: node4 asks for votes but is not a member of this cluster \(voters [a-z0-9,]+\), so it is refused them; to add it, run chronos admin add-node node4=HOST:PORT/);
    }
    // Warned once, not at every campaign.
    expect(running.node('node1').output().split('node4 asks for votes').length - 1).toBe(1);
  }, 60_000);
});
