import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freeNodePort } from '../helpers/ports.js';
import { health, startNode, stopNode, waitFor } from '../helpers/node-process.js';
import type { NodeProcess } from '../helpers/node-process.js';

const OLD = 'old-admin-token';
const NEW = 'new-admin-token';

/**
 * The guide's token rotation ("update environment variables, restart nodes sequentially") on
 * a cluster that was only formed, nothing written: its followers last heard a commit-only
 * heartbeat, the write a driver may skip.
 */
describe('rotating the admin token by restarting nodes one at a time', () => {
  let dataDir = '';
  const nodes = new Map<string, NodeProcess>();
  afterAll(async () => {
    await Promise.all([...nodes.values()].map((node) => stopNode(node)));
    if (dataDir !== '') await rm(dataDir, { recursive: true, force: true });
  });

  it('elects a leader among the nodes with the new token, and says why the others are cut off', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'chronos-rotate-'));
    const taken = new Set<number>();
    const ports = new Map<string, number>();
    for (const id of ['node1', 'node2', 'node3']) {
      const port = await freeNodePort(taken);
      taken.add(port);
      ports.set(id, port);
    }
    const start = (id: string, token: string): NodeProcess => {
      const peers = new Map([...ports].filter(([other]) => other !== id));
      const node = startNode({ id, dataDir, port: ports.get(id)!, peers, env: { CHRONOS_AUTH_TOKEN_ADMIN: token } });
      nodes.set(id, node);
      return node;
    };
    for (const id of ports.keys()) start(id, OLD);
    const leaderWith = (token: string): Promise<string> => waitFor(`a leader with ${token}`, 20_000, async () => {
      for (const node of nodes.values()) {
        const status = await health(node, token);
        if (status?.role === 'Leader') return node.id;
      }
      return null;
    });
    const leader = await leaderWith(OLD);
    // Every follower has learned the first commit before the rotation starts.
    await waitFor('the followers to know the commit', 10_000, async () => {
      const statuses = await Promise.all([...nodes.values()].map((node) => health(node, OLD)));
      return statuses.every((status) => (status?.commit_index ?? 0) > 0) ? true : null;
    });
    const follower = [...ports.keys()].find((id) => id !== leader)!;
    await stopNode(nodes.get(follower)!);
    const rotated = start(follower, NEW);
    await waitFor('the rotated follower to serve', 10_000, async () => ((await health(rotated, NEW)) === null ? null : true));
    expect(await health(rotated, NEW)).not.toHaveProperty('recovering');
    await stopNode(nodes.get(leader)!);
    start(leader, NEW);
    const newLeader = await leaderWith(NEW);
    expect([leader, follower]).toContain(newLeader);
    const third = [...ports.keys()].find((id) => id !== leader && id !== follower)!;
    await waitFor('a warning about the token', 10_000, () =>
      (nodes.get(third)!.output().includes('needs the same CHRONOS_AUTH_TOKEN_ADMIN') ? true : null));
    expect(rotated.output()).toMatch(/peer node\d refused this node's bearer token/);
  }, 90_000);
});
