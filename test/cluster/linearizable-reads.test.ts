import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlClient } from '../../src/api/grpc/index.js';
import { freeNodePort } from '../helpers/ports.js';
import { health, signalNode, startNode, stopNode, waitFor } from '../helpers/node-process.js';
import type { NodeProcess } from '../helpers/node-process.js';

const IDS = ['node1', 'node2', 'node3'] as const;

interface Operation {
  readonly kind: 'write' | 'read';
  readonly value: number;
  readonly invokedAt: number;
  readonly completedAt: number;
  readonly ok: boolean;
}

/**
 * A register history checked for stale reads: writes of unique values and reads through every
 * node, concurrently, while the leader is killed. A read may not return a value that a write
 * which began after that value's write had ended, and which itself ended before the read began,
 * had already overwritten (the part of linearizability that ReadIndex exists to guarantee).
 */
describe('reads through any node are never stale (real processes, leader killed midway)', () => {
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

  it('keeps every read at or after the last write that finished before it began', async () => {
    const first = clients.get('node1')!;
    await first.execute('CREATE TABLE reg (k INT PRIMARY KEY, v INT)');
    await first.execute('INSERT INTO reg VALUES (1, 0)');
    for (const client of clients.values()) {
      await waitFor('the register on every node', 10_000, async () =>
        (await client.execute('SELECT v FROM reg WHERE k = 1').catch(() => null))?.kind === 'rows' ? true : null);
    }
    const history: Operation[] = [];
    let stop = false;
    const via = (n: number): SqlClient => clients.get(IDS[n % IDS.length]!)!;
    const writers = Array.from({ length: 3 }, async (_, w) => {
      for (let i = 1; i <= 3_000 && !stop; i++) {
        const value = (w + 1) * 1_000_000 + i;
        const invokedAt = performance.now();
        const ok = await via(w + i).execute(`UPDATE reg SET v = ${value} WHERE k = 1`).then(() => true, () => false);
        history.push({ kind: 'write', value, invokedAt, completedAt: performance.now(), ok });
        // While there is no leader, failures come fast: pace them so the run outlasts the election.
        if (!ok) await new Promise((resolve) => setTimeout(resolve, 50));
      }
    });
    const readers = Array.from({ length: 3 }, async (_, r) => {
      for (let i = 0; i < 6_000 && !stop; i++) {
        const invokedAt = performance.now();
        const result = await via(r + i).execute('SELECT v FROM reg WHERE k = 1').catch(() => null);
        if (result?.kind === 'rows' && result.rows[0] !== undefined) {
          history.push({ kind: 'read', value: Number(result.rows[0][0]), invokedAt, completedAt: performance.now(), ok: true });
        } else {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    });
    // Kill the leader once the history has some substance, then let it run on without it.
    const writesDone = (): number => history.filter((op) => op.kind === 'write' && op.ok).length;
    await waitFor('a busy history', 15_000, () => (writesDone() >= 30 ? true : null));
    let victim: NodeProcess | undefined;
    for (const node of nodes.values()) if ((await health(node))?.role === 'Leader') victim = node;
    if (victim !== undefined) signalNode(victim, 'SIGKILL');
    const atKill = writesDone();
    await waitFor('more writes after the kill', 15_000, () => (writesDone() >= atKill + 30 ? true : null));
    stop = true;
    await Promise.all([...writers, ...readers]);

    const writes = new Map<number, Operation>();
    for (const op of history) if (op.kind === 'write') writes.set(op.value, op);
    const acknowledged = history.filter((op) => op.kind === 'write' && op.ok);
    const reads = history.filter((op) => op.kind === 'read');
    expect(reads.length).toBeGreaterThan(20);
    expect(acknowledged.length).toBeGreaterThan(20);
    const violations: string[] = [];
    for (const read of reads) {
      const source = read.value === 0 ? null : writes.get(read.value);
      if (read.value !== 0 && (source == null || source.invokedAt > read.completedAt)) {
        violations.push(`read ${read.value} returned a value never (yet) written`);
        continue;
      }
      const writtenBy = source ?? { invokedAt: -Infinity, completedAt: -Infinity, ok: true };
      if (!writtenBy.ok) continue; // its completion is unknown: it may have applied at any time
      const overwriter = acknowledged.find(
        (w) => w.invokedAt > writtenBy.completedAt && w.completedAt < read.invokedAt,
      );
      if (overwriter !== undefined) {
        violations.push(`stale read of ${read.value}: ${overwriter.value} was written after it and before the read`);
      }
    }
    expect(violations).toEqual([]);
  });
});
