import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlClient } from '../../src/api/grpc/index.js';
import type { StatementResult } from '../../src/sql/result.js';
import { ProcessCluster } from '../helpers/process-cluster.js';
import { CHRONOS_BIN, health, signalNode, stopNode, waitFor } from '../helpers/node-process.js';
import { execFile } from 'node:child_process';

/** Runs the real CLI and returns its output, whatever the exit code. */
function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CHRONOS_BIN, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}
import type { NodeProcess } from '../helpers/node-process.js';

const IDS = ['node1', 'node2', 'node3'] as const;
type Id = (typeof IDS)[number];

/**
 * Real `chronos node` processes on loopback: elections, SIGKILL of the leader, catch-up by log
 * and by snapshot, SIGSTOP of a majority, and at the end every acknowledged write exactly once
 * on every node.
 */
describe('a 3-node cluster of real processes under kills and pauses', () => {
  let cluster: ProcessCluster<Id>;
  let ports: ReadonlyMap<Id, number> = new Map();
  let nodes: ReadonlyMap<Id, NodeProcess> = new Map();
  const acknowledged: number[] = [];
  let nextId = 1;

  const env = { CHRONOS_SNAPSHOT_EVERY_ENTRIES: '50', CHRONOS_WRITE_TIMEOUT_MS: '2500' };
  const launch = (id: Id): NodeProcess => cluster.launch(id);
  const client = (id: Id): SqlClient => cluster.client(id);

  const leader = async (among: readonly Id[] = IDS): Promise<Id> =>
    waitFor('a leader', 10_000, async () => {
      for (const id of among) {
        const node = nodes.get(id);
        if (node === undefined) continue;
        const h = await health(node);
        if (h?.role === 'Leader') return id;
      }
      return null;
    });

  /** Inserts one row through `via`; records it only if the cluster acknowledged it. */
  const write = async (via: Id): Promise<boolean> => {
    const id = nextId++;
    try {
      await client(via).execute(`INSERT INTO events (id, note) VALUES (${id}, 'n${id}')`);
      acknowledged.push(id);
      return true;
    } catch {
      return false;
    }
  };

  const ids = (result: StatementResult): number[] => {
    expect(result.kind).toBe('rows');
    return result.kind === 'rows' ? result.rows.map((row) => Number(row[0])) : [];
  };

  beforeAll(async () => {
    cluster = await ProcessCluster.create(IDS, await mkdtemp(join(tmpdir(), 'chronos-cluster-')), env);
    ports = cluster.ports;
    nodes = cluster.nodes;
    for (const id of IDS) launch(id);
  });

  afterAll(async () => {
    cluster.closeClients();
    await Promise.all([...nodes.values()].map((node) => stopNode(node)));
    await rm(cluster.dataDir, { recursive: true, force: true });
  });

  it('elects a leader within 3 s of start and reports it on /health', async () => {
    // Process start-up (loading Node and the modules) is not the cluster's doing: the clock
    // starts when every node answers /health.
    await waitFor('every node serving', 15_000, async () => {
      const all = await Promise.all(IDS.map((id) => health(nodes.get(id)!)));
      return all.every((h) => h !== null) ? true : null;
    });
    const started = Date.now();
    const first = await leader();
    expect(Date.now() - started).toBeLessThan(3_000);
    const h = await health(nodes.get(first)!);
    expect(h).toMatchObject({ status: 'ok', role: 'Leader', leader: first });
    expect(h?.term).toBeGreaterThanOrEqual(1);
  });

  it('replicates writes sent to any node and reads them from every node', async () => {
    const first = await leader();
    const follower = IDS.find((id) => id !== first)!;
    const created = await client(follower).execute('CREATE TABLE events (id INT, note STRING)');
    expect(created).toMatchObject({ kind: 'message', message: 'Table events created' });
    for (let i = 0; i < 10; i++) expect(await write(IDS[i % 3]!)).toBe(true);
    for (const id of IDS) {
      expect(ids(await client(id).execute('SELECT id FROM events ORDER BY id'))).toEqual(acknowledged);
    }
  });

  it('survives SIGKILL of the leader: a new leader accepts writes within 3 s', async () => {
    const old = await leader();
    signalNode(nodes.get(old)!, 'SIGKILL');
    await nodes.get(old)!.exited();
    const survivors = IDS.filter((id) => id !== old);
    const killedAt = Date.now();
    await waitFor('a write accepted after failover', 6_000, async () => ((await write(survivors[0]!)) ? true : null));
    expect(Date.now() - killedAt).toBeLessThan(3_000 + 1_500);
    // The restarted node catches up by log.
    launch(old);
    const target = acknowledged.length;
    await waitFor(`${old} to catch up`, 10_000, async () => {
      const rows = ids(await client(old).execute('SELECT id FROM events ORDER BY id').catch(() => ({ kind: 'rows', columns: [], columnTypes: [], rows: [] }) as StatementResult));
      return rows.length >= target ? rows : null;
    });
  });

  it('serves `chronos client --leader` pointed at a follower, before and after leadership moved', async () => {
    const current = await leader();
    const follower = IDS.find((id) => id !== current)!;
    const id = nextId++;
    const result = await cli([
      'client', '--leader', `127.0.0.1:${ports.get(follower)}`, '--format', 'json',
      '-e', `INSERT INTO events (id, note) VALUES (${id}, 'via-follower')`,
    ]);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('{"message":"Inserted into events","rows_affected":1}');
    acknowledged.push(id);
    const read = await cli([
      'client', '--leader', `127.0.0.1:${ports.get(follower)}`, '--format', 'csv',
      '-e', `SELECT note FROM events WHERE id = ${id}`,
    ]);
    expect(read.stdout).toBe('note\nvia-follower\n');
  });

  it('catches a node up by snapshot after the log was compacted', async () => {
    const current = await leader();
    const lagging = IDS.find((id) => id !== current)!;
    await stopNode(nodes.get(lagging)!);
    const survivor = IDS.find((id) => id !== current && id !== lagging)!;
    for (let i = 0; i < 120; i++) await write(i % 2 === 0 ? current : survivor);
    launch(lagging);
    await waitFor(`${lagging} to catch up by snapshot`, 15_000, async () => {
      const rows = await client(lagging)
        .execute('SELECT id FROM events ORDER BY id')
        .then(ids, () => []);
      return rows.length >= acknowledged.length ? rows : null;
    });
    expect(nodes.get(lagging)!.output()).toMatch(/installed snapshot/);
  });

  it('refuses writes without a quorum (SIGSTOP two of three) and recovers after SIGCONT', async () => {
    const current = await leader();
    const paused = IDS.filter((id) => id !== current);
    for (const id of paused) signalNode(nodes.get(id)!, 'SIGSTOP');
    try {
      const before = acknowledged.length;
      const id = nextId++;
      const attempt = client(current).execute(`INSERT INTO events (id, note) VALUES (${id}, 'no-quorum')`);
      await expect(attempt).rejects.toThrow(/not acknowledged|no quorum|no leader|timed out|deadline/i);
      expect(acknowledged.length).toBe(before);
    } finally {
      for (const id of paused) signalNode(nodes.get(id)!, 'SIGCONT');
    }
    await waitFor('writes to succeed again after SIGCONT', 10_000, async () => ((await write(current)) ? true : null));
  });

  it('moves on without a paused leader (SIGSTOP), which rejoins as a follower after SIGCONT', async () => {
    const paused = await leader();
    signalNode(nodes.get(paused)!, 'SIGSTOP');
    const survivors = IDS.filter((id) => id !== paused);
    try {
      await waitFor('a write through a survivor', 10_000, async () => ((await write(survivors[0]!)) ? true : null));
      const next = await leader(survivors);
      expect(next).not.toBe(paused);
    } finally {
      signalNode(nodes.get(paused)!, 'SIGCONT');
    }
    await waitFor(`${paused} to follow again`, 10_000, async () => {
      const h = await health(nodes.get(paused)!);
      return h !== null && h.role === 'Follower' && h.leader !== null && h.leader !== paused ? true : null;
    });
    expect(await write(paused)).toBe(true); // forwarded to the new leader
  });

  it('loses no acknowledged write when the leader is killed under concurrent load', async () => {
    const victim = await leader();
    const before = acknowledged.length;
    let stop = false;
    const writers = Array.from({ length: 8 }, async (_, k) => {
      for (let round = 0; round < 400 && !stop; round++) {
        const via = IDS[(k + round) % IDS.length]!;
        if (via === victim && nodes.get(victim)!.child.exitCode === null && round > 5) continue;
        await write(via);
      }
    });
    await waitFor('some writes under load', 10_000, () => (acknowledged.length >= before + 40 ? true : null));
    signalNode(nodes.get(victim)!, 'SIGKILL');
    await nodes.get(victim)!.exited();
    const afterKill = acknowledged.length;
    await waitFor('writes to continue after the kill', 10_000, () => (acknowledged.length >= afterKill + 40 ? true : null));
    stop = true;
    await Promise.all(writers);
    launch(victim);
    await waitFor(`${victim} back as a follower`, 15_000, async () => {
      const h = await health(nodes.get(victim)!);
      return h !== null && h.leader !== null ? true : null;
    });
  });

  it('has every acknowledged write exactly once on every node', async () => {
    const expected = [...acknowledged].sort((a, b) => a - b);
    for (const id of IDS) {
      const rows = await waitFor(`${id} to have every acknowledged write`, 10_000, async () => {
        const seen = await client(id)
          .execute('SELECT id FROM events ORDER BY id')
          .then(ids, () => null);
        if (seen === null) return null;
        const acked = seen.filter((value) => expected.includes(value));
        return acked.length >= expected.length ? seen : null;
      });
      const counts = new Map<number, number>();
      for (const value of rows) counts.set(value, (counts.get(value) ?? 0) + 1);
      for (const value of expected) expect(counts.get(value), `id ${value} on ${id}`).toBe(1);
    }
  });
});
