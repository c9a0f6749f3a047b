import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READINGS_DDL } from '../../src/ingest/index.js';
import { health, signalNode, stopNode, waitFor } from '../helpers/node-process.js';
import type { NodeProcess } from '../helpers/node-process.js';
import { ProcessCluster } from '../helpers/process-cluster.js';

const IDS = ['n1', 'n2', 'n3'] as const;
type Id = (typeof IDS)[number];

async function post(node: NodeProcess, body: object | string, path = '/ingest'): Promise<number> {
  try {
    const response = await fetch(`http://127.0.0.1:${node.adminPort}${path}`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body), signal: AbortSignal.timeout(5_000),
    });
    await response.text();
    return response.status;
  } catch {
    return 0;
  }
}

/**
 * Ingest on a 3-node cluster of real processes: a follower that can't reach a leader keeps
 * journaling until its backlog limit answers 429, then drains when the cluster is back; the
 * leader is SIGKILLed in the middle of ingest. Every reading answered 202 ends up stored
 * once, on every node.
 */
describe('POST /ingest on a 3-node cluster', () => {
  let cluster: ProcessCluster<Id>;
  const queued = new Set<string>();

  const leader = (among: readonly Id[] = IDS): Promise<Id> => waitFor('a leader', 15_000, async () => {
    for (const id of among) if ((await health(cluster.node(id)))?.role === 'Leader') return id;
    return null;
  });
  const ingest = async (via: Id, device: string, ts: number): Promise<number> => {
    const status = await post(cluster.node(via), { device_id: device, ts, seq: 0, metrics: { t: ts / 10, h: 50 } });
    if (status === 202) for (const m of ['t', 'h']) queued.add(`${device}:${ts}:0:${m}`);
    return status;
  };
  const expectAllStoredOnce = async (): Promise<void> => {
    for (const id of IDS) {
      const ids = await waitFor(`${id} holds every 202'd reading`, 30_000, async () => {
        const result = await cluster.client(id).execute('SELECT reading_id FROM readings').catch(() => null);
        if (result?.kind !== 'rows') return null;
        const stored = result.rows.map((row) => String(row[0]));
        return [...queued].every((r) => stored.includes(r)) ? stored : null;
      });
      expect(new Set(ids).size).toBe(ids.length);
    }
  };

  beforeAll(async () => {
    cluster = await ProcessCluster.create(IDS, await mkdtemp(join(tmpdir(), 'chronos-ingest-cluster-')),
      { CHRONOS_INGEST_MAX_BACKLOG_READINGS: '40' }, ['--enable-ingest']);
    for (const id of IDS) cluster.launch(id);
    await cluster.client(await leader()).execute(READINGS_DDL);
  });

  afterAll(async () => {
    cluster.closeClients();
    await Promise.all([...cluster.nodes.values()].map((node) => stopNode(node)));
    await rm(cluster.dataDir, { recursive: true, force: true });
  });

  it('a follower cut off from the leader journals up to its backlog limit (429), then drains', async () => {
    const current = await leader();
    const [follower, other] = IDS.filter((id) => id !== current) as [Id, Id];
    await waitFor('the follower knows readings', 10_000, async () =>
      ((await ingest(follower, 'warmup', 1)) === 202 ? true : null));
    signalNode(cluster.node(current), 'SIGSTOP');
    signalNode(cluster.node(other), 'SIGSTOP');
    const statuses: number[] = [];
    try {
      for (let ts = 100; ts < 140; ts += 1) statuses.push(await ingest(follower, 'cutoff', ts));
    } finally {
      signalNode(cluster.node(current), 'SIGCONT');
      signalNode(cluster.node(other), 'SIGCONT');
    }
    expect(statuses.filter((s) => s === 202).length).toBeGreaterThanOrEqual(15);
    expect(statuses).toContain(429);
    await waitFor('the follower takes readings again', 15_000, async () =>
      ((await ingest(follower, 'after', 1)) === 202 ? true : null));
    await expectAllStoredOnce();
  });

  it('loses and doubles nothing when the leader is SIGKILLed during ingest', async () => {
    const victim = await leader();
    const statuses: number[] = [];
    const writers = IDS.map(async (via, w) => {
      for (let i = 0; i < 60; i += 1) {
        if (cluster.node(via).child.exitCode !== null || cluster.node(via).child.signalCode !== null) break;
        statuses.push(await ingest(via, `kill-${w}`, i));
      }
    });
    // Kill the leader once ingest is flowing through every node.
    await waitFor('ingest under way', 10_000, () => (statuses.filter((s) => s === 202).length >= 15 ? true : null));
    signalNode(cluster.node(victim), 'SIGKILL');
    await Promise.all(writers);
    cluster.launch(victim);
    await leader();
    expect(statuses.filter((s) => s === 202).length).toBeGreaterThan(30);
    await expectAllStoredOnce();
  });

  it('a node whose disk was replaced (same id, empty dir) stores what it accepts', async () => {
    const current = await leader();
    const follower = IDS.find((id) => id !== current) as Id;
    for (let ts = 0; ts < 6; ts += 1) expect(await ingest(follower, 'before-wipe', ts)).toBe(202);
    await expectAllStoredOnce();
    await stopNode(cluster.node(follower));
    await rm(join(cluster.dataDir, follower), { recursive: true, force: true });
    const replaced = cluster.launch(follower);
    await waitFor(`${follower} caught up`, 20_000, async () => {
      const h = await health(replaced);
      return h !== null && h.applied_index > 0 && !('recovering' in h) ? true : null;
    });
    // Its new journal numbers records from 1 again, below what its old journal reached.
    for (let ts = 0; ts < 3; ts += 1) {
      expect(await waitFor('a 202', 10_000, async () => ((await ingest(follower, 'after-wipe', ts)) === 202 ? true : null)))
        .toBe(true);
    }
    await expectAllStoredOnce();
  });

  it('line protocol: every point answered 204 is stored once on every node when the leader is SIGKILLed mid-stream', async () => {
    const victim = await leader();
    const accepted = new Set<string>();
    const done: number[] = [];
    const writers = IDS.map(async (via, w) => {
      for (let i = 0; i < 40; i += 1) {
        if (cluster.node(via).child.exitCode !== null || cluster.node(via).child.signalCode !== null) break;
        const body = `lp,writer=w${w} v=${i}i,half=${i / 2} ${1_733_856_000 + i}\nlp,writer=w${w},copy=y v=${i}i ${1_733_856_000 + i}`;
        const status = await post(cluster.node(via), body, '/write?db=farm&precision=s');
        if (status === 204) accepted.add(`w${w}:${i}`);
        done.push(status);
      }
    });
    await waitFor('writes under way', 10_000, () => (accepted.size >= 15 ? true : null));
    signalNode(cluster.node(victim), 'SIGKILL');
    await Promise.all(writers);
    cluster.launch(victim);
    await leader();
    expect(accepted.size).toBeGreaterThan(30);
    for (const id of IDS) {
      const stored = await waitFor(`${id} holds every 204'd point`, 30_000, async () => {
        const result = await cluster.client(id).execute("SELECT writer, v FROM lp WHERE series NOT LIKE '%copy%'").catch(() => null);
        if (result?.kind !== 'rows') return null;
        const keys = result.rows.map((row) => `${String(row[0])}:${String(row[1])}`);
        return [...accepted].every((key) => keys.includes(key)) ? keys : null;
      });
      expect(new Set(stored).size).toBe(stored.length);
    }
  });
});
