import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlClient } from '../../src/api/grpc/index.js';
import { freeNodePort } from '../helpers/ports.js';
import { health, signalNode, startNode, stopNode, waitFor } from '../helpers/node-process.js';
import type { NodeProcess } from '../helpers/node-process.js';
import { runRegisterLoad, staleReads } from '../helpers/register-history.js';
import type { RegisterOperation } from '../helpers/register-history.js';

const IDS = ['node1', 'node2', 'node3'] as const;

/**
 * Register histories checked for stale reads (helpers/register-history.ts): writes of unique
 * values and reads through every node, concurrently, while the leader is paused past an
 * election (SIGSTOP, with reads sent to it while it sleeps; leader leases must not outlive its
 * pause) and then while the leader is killed.
 */
describe('reads through any node are never stale (real processes, leader paused, then killed)', () => {
  let dir = '';
  const nodes = new Map<string, NodeProcess>();
  const clients = new Map<string, SqlClient>();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chronos-linear-'));
    const taken = new Set<number>();
    const ports = new Map<string, number>();
    for (const id of IDS) {
      const port = await freeNodePort(taken);
      taken.add(port);
      ports.set(id, port);
    }
    for (const id of IDS) {
      const peers = new Map([...ports].filter(([other]) => other !== id));
      nodes.set(id, startNode({ id, dataDir: dir, port: ports.get(id)!, peers }));
      clients.set(id, new SqlClient({ address: `127.0.0.1:${ports.get(id)}`, tls: null, token: null, deadlineMs: 6_000 }));
    }
    await waitFor('a leader', 20_000, async () => {
      for (const node of nodes.values()) if ((await health(node))?.role === 'Leader') return true;
      return null;
    });
  });

  afterAll(async () => {
    for (const client of clients.values()) client.close();
    await Promise.all([...nodes.values()].map((node) => stopNode(node)));
    await rm(dir, { recursive: true, force: true });
  });

  /** A stopped process holds calls until their deadline: the load goes around it. */
  let paused: NodeProcess | null = null;
  const via = (n: number): SqlClient => {
    const live = IDS.filter((id) => nodes.get(id) !== paused);
    return clients.get(live[n % live.length]!)!;
  };
  const leaderNode = async (): Promise<NodeProcess | null> => {
    for (const node of nodes.values()) if ((await health(node))?.role === 'Leader') return node;
    return null;
  };
  const metric = async (node: NodeProcess, name: string): Promise<number> => {
    const text = await (await fetch(`http://127.0.0.1:${node.adminPort}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line === undefined ? 0 : Number(line.split(' ')[1]);
  };

  it('a leader paused past an election serves no stale read when it wakes (read leases)', async () => {
    const first = clients.get('node1')!;
    await first.execute('CREATE TABLE reg (k INT PRIMARY KEY, v INT)');
    await first.execute('INSERT INTO reg VALUES (1, 0)');
    for (const client of clients.values()) {
      await waitFor('the register on every node', 10_000, async () =>
        (await client.execute('SELECT v FROM reg WHERE k = 1').catch(() => null))?.kind === 'rows' ? true : null);
    }
    const history: RegisterOperation[] = [];
    let stop = false;
    const load = runRegisterLoad(via, () => stop, history);
    const writesDone = (): number => history.filter((op) => op.kind === 'write' && op.ok).length;
    let late: Promise<void> = Promise.resolve();
    try {
      await waitFor('a busy history', 15_000, () => (writesDone() >= 30 ? true : null));
      const victim = await waitFor('a leader', 10_000, leaderNode);
      const victimClient = clients.get([...nodes].find(([, node]) => node === victim)![0])!;
      paused = victim;
      signalNode(victim, 'SIGSTOP');
      await waitFor('a new leader', 15_000, async () => {
        for (const node of nodes.values()) if (node !== victim && (await health(node))?.role === 'Leader') return true;
        return null;
      });
      const atElection = writesDone();
      await waitFor('writes through the new leader', 15_000, () => (writesDone() >= atElection + 20 ? true : null));
      // Reads sent to the sleeping leader now, after those writes were acknowledged, must come
      // back current or fail. (Whether it reads the new term before them is up to the order it
      // drains its sockets in; the simulation is what catches a lease that outlives a pause.)
      late = Promise.all(Array.from({ length: 5 }, async () => {
        const invokedAt = performance.now();
        const result = await victimClient.execute('SELECT v FROM reg WHERE k = 1').catch(() => null);
        if (result?.kind === 'rows' && result.rows[0] !== undefined) {
          history.push({ kind: 'read', value: Number(result.rows[0][0]), invokedAt, completedAt: performance.now(), ok: true });
        }
      })).then(() => undefined);
      // A stopped process can't say that the calls reached its socket: give them a moment (if
      // they land after the wake, the case only gets weaker, never flaky).
      await new Promise((resolve) => setTimeout(resolve, 200));
      signalNode(victim, 'SIGCONT');
      paused = null;
      await late;
      const atWake = writesDone();
      await waitFor('more writes after the wake', 15_000, () => (writesDone() >= atWake + 20 ? true : null));
    } finally {
      if (paused !== null) signalNode(paused, 'SIGCONT');
      paused = null;
      stop = true;
      await load;
      await late;
    }
    expect(staleReads(history)).toEqual([]);
    let leaseReads = 0;
    for (const node of nodes.values()) leaseReads += await metric(node, 'chronos_raft_lease_reads_total');
    expect(leaseReads).toBeGreaterThan(0);
  });

  it('keeps every read at or after the last write that finished before it began', async () => {
    // The history starts from 0 again (the checker's initial value).
    await waitFor('the register reset', 10_000, async () =>
      ((await via(0).execute('UPDATE reg SET v = 0 WHERE k = 1').catch(() => null)) === null ? null : true));
    const history: RegisterOperation[] = [];
    let stop = false;
    const load = runRegisterLoad(via, () => stop, history);
    // Kill the leader once the history has some substance, then let it run on without it.
    const writesDone = (): number => history.filter((op) => op.kind === 'write' && op.ok).length;
    await waitFor('a busy history', 15_000, () => (writesDone() >= 30 ? true : null));
    let victim: NodeProcess | undefined;
    for (const node of nodes.values()) if ((await health(node))?.role === 'Leader') victim = node;
    if (victim !== undefined) signalNode(victim, 'SIGKILL');
    const atKill = writesDone();
    await waitFor('more writes after the kill', 15_000, () => (writesDone() >= atKill + 30 ? true : null));
    stop = true;
    await load;

    const acknowledged = history.filter((op) => op.kind === 'write' && op.ok);
    const reads = history.filter((op) => op.kind === 'read');
    expect(reads.length).toBeGreaterThan(20);
    expect(acknowledged.length).toBeGreaterThan(20);
    expect(staleReads(history)).toEqual([]);
  });
});
