import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/index.js';
import { HELD_MS_MAX } from '../../src/node/held-applies.js';
import type { RaftNode } from '../../src/node/index.js';
import { DriverNetwork } from '../../src/sim/driver-network.js';
import { DriverNode } from '../../src/sim/driver-node.js';
import { SimScheduler } from '../../src/sim/sim-scheduler.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

const caller = { token: null, user: null, peer: 'test' };
const IDS = ['n1', 'n2', 'n3'];

/** Three real nodes on the simulated clock and a lossless 1 ms network. */
async function cluster(): Promise<{ scheduler: SimScheduler; network: DriverNetwork; nodes: DriverNode[] }> {
  const root = mkdtempSync(join(tmpdir(), 'chronos-held-'));
  roots.push(root);
  const random = new Random(11);
  const scheduler = new SimScheduler();
  const network = new DriverNetwork(random.fork(), scheduler,
    { dropRate: 0, duplicateRate: 0, delayMinMs: 1, delayMaxMs: 1, tailRate: 0, tailMsMax: 0 });
  const config = { ids: IDS, raft: {}, snapshotEveryEntries: 100_000, plants: {}, fsyncMsMax: 0 };
  const nodes = IDS.map((id) => new DriverNode(id, config, random.fork(), root));
  for (const node of nodes) await node.start(scheduler, network);
  return { scheduler, network, nodes };
}

function live(node: DriverNode): RaftNode {
  if (node.node === null) throw new Error(`${node.id} is down`);
  return node.node;
}

/** Runs the simulated clock in 1 ms steps until `done` settles or `limitMs` passes; returns the ms it took. */
async function runUntilSettled(scheduler: SimScheduler, done: Promise<unknown>, limitMs: number): Promise<number> {
  let settled = false;
  void done.then(() => { settled = true; }, () => { settled = true; });
  const start = scheduler.elapsedMs;
  while (!settled && scheduler.elapsedMs - start < limitMs) await scheduler.runUntil(scheduler.elapsedMs + 1);
  if (!settled) throw new Error(`not settled within ${limitMs} simulated ms`);
  return scheduler.elapsedMs - start;
}

describe('a follower holding committed entries back', () => {
  it('holds a committed write, and serves a read of it at once by letting the hold go', async () => {
    const { scheduler, network, nodes } = await cluster();
    try {
      let leader: DriverNode | undefined;
      for (let ms = 0; leader === undefined && ms < 10_000; ms += 10) {
        await scheduler.runUntil(scheduler.elapsedMs + 10);
        leader = nodes.find((node) => node.node?.status().role === 'Leader');
      }
      if (leader === undefined) throw new Error('no leader');
      const follower = nodes.find((node) => node !== leader) as DriverNode;
      await runUntilSettled(scheduler, live(leader).write(['CREATE TABLE t (id INT PRIMARY KEY)'], caller), 5_000);
      await scheduler.runUntil(scheduler.elapsedMs + HELD_MS_MAX * 2);
      await runUntilSettled(scheduler, live(leader).write(['INSERT INTO t VALUES (7)'], caller), 5_000);
      const committed = live(leader).status().commitIndex;
      // The follower knows the commit within a hop but holds the entry back.
      await scheduler.runUntil(scheduler.elapsedMs + 3);
      expect(live(follower).inspect().status().commitIndex).toBe(committed);
      expect(live(follower).status().appliedIndex).toBeLessThan(committed);
      // A read on the follower waits for that index: the hold ends then, not after HELD_MS_MAX.
      const read = live(follower).execute('SELECT id FROM t', caller);
      const tookMs = await runUntilSettled(scheduler, read, 5_000);
      expect(tookMs).toBeLessThan(HELD_MS_MAX - 3);
      const rows = await read;
      expect(rows.kind === 'rows' ? rows.rows.map((row) => Number(row[0])) : null).toEqual([7]);
    } finally {
      // A crash stops a simulated node's timers and traffic; its dir is removed after the test.
      for (const node of nodes) if (node.alive) node.crash(network);
    }
  });
});
