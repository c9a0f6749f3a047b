import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHRONOS_BIN, health, signalNode, stopNode, waitFor } from '../helpers/node-process.js';
import { ProcessCluster } from '../helpers/process-cluster.js';

const IDS = ['node1', 'node2', 'node3', 'node4', 'node5'] as const;
type Id = (typeof IDS)[number];

/** Runs the real CLI; resolves with its exit code and output. */
function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CHRONOS_BIN, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

/**
 * Membership changes with real processes under a write load: grow 3 → 4 → 5 (a new node is
 * added, started with --peers listing the members, caught up as a learner, then promoted),
 * a restarted node finds members its --peers never named, the leader is killed during a
 * change, and the cluster shrinks back to 3 (the leader removing itself hands over first).
 * Nothing acknowledged is lost, and the quorum is always the current voters' majority.
 */
describe('membership through the log, with real processes', () => {
  let cluster: ProcessCluster<Id>;
  const live = new Set<Id>();
  const acknowledged = new Set<number>();
  let nextRow = 1;
  let writing = true;
  let writer: Promise<void> = Promise.resolve();

  const adminOf = (id: Id): string => `127.0.0.1:${cluster.node(id).adminPort}`;
  const addressOf = (id: Id): string => `127.0.0.1:${cluster.ports.get(id)}`;
  const leader = (): Promise<{ id: Id; voters: string[]; learners: string[] }> =>
    waitFor('a leader', 15_000, async () => {
      for (const id of live) {
        const h = await health(cluster.node(id));
        if (h?.role === 'Leader') return { id, voters: h.voters, learners: h.learners };
      }
      return null;
    });
  const write = async (via: Id): Promise<boolean> => {
    const row = nextRow++;
    try {
      await cluster.client(via).execute(`INSERT INTO load (id) VALUES (${row})`);
      acknowledged.add(row);
      return true;
    } catch {
      return false;
    }
  };
  /** Writes through live members in turn until told to stop (bounded: 30,000 attempts). */
  const writeLoad = async (): Promise<void> => {
    for (let i = 0; writing && i < 30_000; i += 1) {
      const members = [...live];
      const via = members[i % members.length];
      if (via === undefined || !(await write(via))) await new Promise((r) => setTimeout(r, 50));
    }
  };
  const votersBecome = (expected: readonly Id[]): Promise<unknown> =>
    waitFor(`voters [${expected.join(',')}]`, 20_000, async () => {
      const { voters, learners } = await leader();
      return [...voters].sort().join() === [...expected].sort().join() && learners.length === 0
        ? true : null;
    });

  beforeAll(async () => {
    cluster = await ProcessCluster.create(IDS, await mkdtemp(join(tmpdir(), 'chronos-members-')));
    for (const id of IDS.slice(0, 3)) {
      cluster.launch(id, IDS.slice(0, 3));
      live.add(id);
    }
    const { id } = await leader();
    await cluster.client(id).execute('CREATE TABLE load (id INT PRIMARY KEY)');
    writer = writeLoad();
  });

  afterAll(async () => {
    writing = false;
    await writer;
    cluster.closeClients();
    await Promise.all([...cluster.nodes.values()].map((node) => stopNode(node)));
    await rm(cluster.dataDir, { recursive: true, force: true });
  });

  it('grows 3 → 4 → 5: add-node through a follower, then start the node with the members as peers', async () => {
    for (const [newcomer, members] of [['node4', IDS.slice(0, 3)], ['node5', IDS.slice(0, 4)]] as const) {
      const { id: current } = await leader();
      const via = members.find((id) => id !== current)!;
      const added = await cli(['admin', 'add-node', `${newcomer}=${addressOf(newcomer)}`, '--http', adminOf(via)]);
      expect(added.stderr).toBe('');
      expect(added.code).toBe(0);
      expect(JSON.parse(added.stdout)).toMatchObject({ status: 'ok', learners: [newcomer] });
      cluster.launch(newcomer, members);
      live.add(newcomer);
      await votersBecome([...members, newcomer]);
    }
    await waitFor('node5 to see itself a voter', 10_000, async () =>
      ((await health(cluster.node('node5')))?.voters.length === 5 ? true : null));
  });

  it('a restarted node dials the members its --peers never named', async () => {
    await stopNode(cluster.node('node1'));
    live.delete('node1');
    await waitFor('a write without node1', 10_000, async () => ((await write('node4')) ? true : null));
    for (const id of ['node2', 'node3'] as const) {
      await stopNode(cluster.node(id));
      live.delete(id);
    }
    // node1 still says --peers node2,node3 (both down): only node4 and node5 can make its quorum.
    cluster.launch('node1', ['node2', 'node3']);
    live.add('node1');
    await waitFor('a write with node1, node4, node5', 20_000, async () => ((await write('node1')) ? true : null));
    for (const id of ['node2', 'node3'] as const) {
      cluster.launch(id, IDS.slice(0, 3));
      live.add(id);
    }
    await votersBecome(IDS);
  });

  it('survives SIGKILL of the leader in the middle of removing a node', async () => {
    const { id: current } = await leader();
    const target = (['node4', 'node5'] as const).find((id) => id !== current)!;
    const removal = cli(['admin', 'remove-node', target, '--http', adminOf(current)]);
    await new Promise((r) => setTimeout(r, 30));
    signalNode(cluster.node(current), 'SIGKILL');
    await cluster.node(current).exited();
    live.delete(current);
    await removal;
    // Whatever the killed leader got done, asking again settles it (once a new leader is known:
    // until then the answer says the old one cannot be reached).
    const survivor = [...live].find((id) => id !== target)!;
    await waitFor('remove-node to succeed after failover', 15_000, async () => {
      const again = await cli(['admin', 'remove-node', target, '--http', adminOf(survivor)]);
      return again.code === 0 ? true : null;
    });
    cluster.launch(current, IDS.filter((id) => id !== target));
    live.add(current);
    await votersBecome(IDS.filter((id) => id !== target));
    await stopNode(cluster.node(target));
    live.delete(target);
  });

  it('a leader asked to remove itself hands leadership over first', async () => {
    const { id: old, voters } = await leader();
    const removed = await cli(['admin', 'remove-node', old, '--http', adminOf(old)]);
    expect(removed.stderr).toBe('');
    expect(JSON.parse(removed.stdout).voters).toEqual(voters.filter((id) => id !== old));
    const next = await leader();
    expect(next.id).not.toBe(old);
    if (old === 'node4' || old === 'node5') {
      await stopNode(cluster.node(old));
      live.delete(old);
      return;
    }
    // One of the original three: bring it back (it kept its log) so the shrink ends on them.
    const readded = await cli(['admin', 'add-node', `${old}=${addressOf(old)}`, '--http', adminOf(next.id)]);
    expect(readded.code).toBe(0);
    await votersBecome(voters as Id[]);
  });

  it('shrinks back to 3, and the quorum is then 2 of 3', async () => {
    for (let round = 0; round < 3; round += 1) {
      const { id: current, voters } = await leader();
      const extra = voters.find((id) => !['node1', 'node2', 'node3'].includes(id)) as Id | undefined;
      if (extra === undefined) break;
      const removed = await cli(['admin', 'remove-node', extra, '--http', adminOf(current)]);
      expect(removed.stderr).toBe('');
      expect(JSON.parse(removed.stdout).voters).not.toContain(extra);
      await stopNode(cluster.node(extra));
      live.delete(extra);
    }
    await votersBecome(['node1', 'node2', 'node3']);
    const { id: current } = await leader();
    const followers = (['node1', 'node2', 'node3'] as const).filter((id) => id !== current);
    signalNode(cluster.node(followers[0]!), 'SIGSTOP');
    try {
      await waitFor('a write with 2 of 3', 10_000, async () => ((await write(current)) ? true : null));
      signalNode(cluster.node(followers[1]!), 'SIGSTOP');
      const row = nextRow++;
      await expect(cluster.client(current).execute(`INSERT INTO load (id) VALUES (${row})`))
        .rejects.toThrow();
    } finally {
      for (const id of followers) signalNode(cluster.node(id), 'SIGCONT');
    }
  });

  it('lost no acknowledged write and doubled none, on every member', async () => {
    writing = false;
    await writer;
    const { id } = await leader();
    await write(id);
    for (const member of ['node1', 'node2', 'node3'] as const) {
      const rows = await waitFor(`${member} caught up`, 15_000, async () => {
        const result = await cluster.client(member).execute('SELECT id FROM load ORDER BY id').catch(() => null);
        if (result?.kind !== 'rows') return null;
        const ids = result.rows.map((row) => Number(row[0]));
        return [...acknowledged].every((row) => ids.includes(row)) ? ids : null;
      });
      expect(new Set(rows).size).toBe(rows.length);
    }
    expect(acknowledged.size).toBeGreaterThan(50);
  });
});
