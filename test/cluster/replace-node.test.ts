import { execFile } from 'node:child_process';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatementResult } from '../../src/sql/result.js';
import { SqlClient } from '../../src/api/grpc/index.js';
import { CHRONOS_BIN, health, stopNode, waitFor } from '../helpers/node-process.js';
import type { NodeProcess } from '../helpers/node-process.js';
import { ProcessCluster } from '../helpers/process-cluster.js';

const IDS = ['node1', 'node2', 'node3'] as const;
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
 * The guide's "Replace Failed Node" with real processes: the node's dir is wiped (new
 * hardware) or restored from an older backup, it is started with the guide's command, and it
 * catches up by snapshot and log within seconds while the leader keeps its term.
 */
describe.each([
  ['the log held whole (the guide\'s defaults)', {}],
  ['a compacted log (catch-up by snapshot)', { CHRONOS_SNAPSHOT_EVERY_ENTRIES: '40' }],
])('Replace Failed Node, as the guide runs it, with %s', (_, env: NodeJS.ProcessEnv) => {
  let cluster: ProcessCluster<Id>;
  let rows = 0;
  const launch = (id: Id): NodeProcess => cluster.launch(id);
  const client = (id: Id): SqlClient => cluster.client(id);
  const leader = (): Promise<{ id: Id; term: number; commit: number }> =>
    waitFor('a leader', 10_000, async () => {
      for (const id of IDS) {
        const node = cluster.nodes.get(id);
        const h = node === undefined ? null : await health(node);
        if (h?.role === 'Leader') return { id, term: h.term, commit: h.commit_index };
      }
      return null;
    });
  const writeRows = async (count: number, via: Id): Promise<void> => {
    for (let i = 0; i < count; i += 1) {
      rows += 1;
      await client(via).execute(`INSERT INTO readings (id, v) VALUES (${rows}, ${rows * 1.5})`);
    }
  };
  const countVia = async (id: Id): Promise<number> => {
    const result: StatementResult = await client(id).execute('SELECT COUNT(*) FROM readings');
    return result.kind === 'rows' ? Number(result.rows[0]?.[0]) : -1;
  };

  /** Starts `id` with the guide's command and waits until it holds every row, timed. */
  const replaceAndCatchUp = async (id: Id): Promise<number> => {
    const before = await leader();
    const node = launch(id);
    await waitFor(`${id} serving /health`, 15_000, () => health(node));
    const started = Date.now();
    await waitFor(`${id} to catch up`, 15_000, async () => {
      const h = await health(node);
      const caughtUp = h !== null && h.commit_index >= before.commit &&
        h.applied_index >= before.commit && !('recovering' in h);
      return caughtUp && (await countVia(id).catch(() => -1)) === rows ? true : null;
    });
    const elapsed = Date.now() - started;
    const after = await leader();
    expect(after).toMatchObject({ id: before.id, term: before.term });
    return elapsed;
  };

  beforeAll(async () => {
    cluster = await ProcessCluster.create(IDS, await mkdtemp(join(tmpdir(), 'chronos-replace-')), env);
    for (const id of IDS) launch(id);
    const { id } = await leader();
    await client(id).execute('CREATE TABLE readings (id INT PRIMARY KEY, v FLOAT)');
    await writeRows(60, id);
  });

  afterAll(async () => {
    cluster.closeClients();
    await Promise.all([...cluster.nodes.values()].map((node) => stopNode(node)));
    await rm(cluster.dataDir, { recursive: true, force: true });
  });

  it('a follower on new hardware (empty dir) catches up within seconds, no leader change', async () => {
    const { id: current } = await leader();
    const failed = IDS.find((id) => id !== current)!;
    await stopNode(cluster.node(failed));
    await rm(join(cluster.dataDir, failed), { recursive: true, force: true });
    await writeRows(30, current);
    const elapsed = await replaceAndCatchUp(failed);
    expect(elapsed).toBeLessThan(10_000);
  });

  it('a follower restored from an older backup catches up within seconds, no leader change', async () => {
    const { id: current } = await leader();
    const failed = IDS.find((id) => id !== current)!;
    const backup = join(cluster.dataDir, `${failed}-latest.snap`);
    const response = await fetch(`http://127.0.0.1:${cluster.node(failed).adminPort}/snapshot`);
    expect(response.status).toBe(200);
    await writeFile(backup, Buffer.from(await response.arrayBuffer()));
    await writeRows(50, current);
    await stopNode(cluster.node(failed));
    const restored = await cli(['snapshot', 'restore', '--data-dir', join(cluster.dataDir, failed),
      '--input', backup, '--force']);
    expect(restored.code).toBe(0);
    await writeRows(20, current);
    const elapsed = await replaceAndCatchUp(failed);
    expect(elapsed).toBeLessThan(10_000);
  });

  it('every node answers the same rows afterwards', async () => {
    for (const id of IDS) expect(await countVia(id)).toBe(rows);
  });
});
