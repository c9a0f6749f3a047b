import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerTarget } from '../../src/cli/server-target.js';
import { runChronos } from '../cli/binary.js';
import { health, stopNode, waitFor } from '../helpers/node-process.js';
import { ProcessCluster } from '../helpers/process-cluster.js';

const IDS = ['node1', 'node2', 'node3'] as const;
type Id = (typeof IDS)[number];
/**
 * Under `chronos client`'s backoff alone (100+200+400+800+1600 ms), so any retry fails it;
 * starting Node, counted in, took up to 2.2 s on a busy two-core machine.
 */
const AT_ONCE_MS_MAX = 3_000;
/** The client's own time (`ServerTarget` in this process), with no process start counted. */
const CLIENT_AT_ONCE_MS_MAX = 1_000;

/**
 * The guide's walkthrough: `chronos admin remove-node node3`, stop node3, then start it
 * again with its old flags. It used to sit as a candidate forever, and it and its clients
 * said only "no leader elected ... a majority of nodes is unreachable".
 */
describe('a removed node restarted with its old flags says it was removed, and what to do', () => {
  let cluster: ProcessCluster<Id>;
  const adminOf = (id: Id): string => `127.0.0.1:${cluster.node(id).adminPort}`;
  const addressOf = (id: Id): string => `127.0.0.1:${cluster.ports.get(id)}`;
  const leaderAmong = (ids: readonly Id[]): Promise<Id> => waitFor('a leader', 20_000, async () => {
    for (const id of ids) if ((await health(cluster.node(id)))?.role === 'Leader') return id;
    return null;
  });

  beforeAll(async () => {
    cluster = await ProcessCluster.create(IDS, await mkdtemp(join(tmpdir(), 'chronos-removed-')));
    for (const id of IDS) cluster.launch(id);
    await leaderAmong(IDS);
  }, 60_000);

  afterAll(async () => {
    cluster.closeClients();
    await Promise.all(IDS.map((id) => stopNode(cluster.node(id))));
    await rm(cluster.dataDir, { recursive: true, force: true });
  });

  it('status and clients name the removal and the way back; add-node brings it back', async () => {
    const removed = await runChronos(['admin', 'remove-node', 'node3', '--http', adminOf('node1')]);
    expect(removed.code, removed.stderr).toBe(0);
    await stopNode(cluster.node('node3'));
    cluster.launch('node3');
    await waitFor('node3 serving', 20_000, async () => ((await health(cluster.node('node3'))) === null ? null : true));

    const status = await waitFor('node3 reporting its removal', 10_000, async () => {
      const run = await runChronos(['admin', 'status', '--http', adminOf('node3')]);
      return run.stdout.includes('"removed":true') ? run.stdout : null;
    });
    expect(status).toMatch(/"leader":null,.*"removed":true,"removed_at_index":\d+}\n$/);
    // The voters of the change that removed it, not the committed ones that still hold it.
    expect(status).toContain('"voters":["node1","node2"]');

    const queryStartedMs = Date.now();
    const query = await runChronos(['client', '--leader', addressOf('node3'), '-e', 'SELECT 1']);
    // No retry makes a removed node a member again: the answer comes at once, not after the
    // client's ~3 s of backoff.
    expect(Date.now() - queryStartedMs).toBeLessThan(AT_ONCE_MS_MAX);
    expect(query.code).toBe(1);
    const index = /"removed_at_index":(\d+)/.exec(status)?.[1] ?? '?';
    expect(query.stderr).toContain(
      `node node3 was removed from the cluster by the membership change at log index ${index} ` +
      '(voters now: node1, node2), so it has no leader and serves no statements');
    expect(query.stderr).toContain(`'chronos admin add-node node3=${addressOf('node3')} --http MEMBER_ADMIN_ADDRESS'`);
    expect(query.stderr).not.toContain('no leader elected');
    expect(query.stderr.split('\n')).toHaveLength(2); // one line
    expect(cluster.node('node3').output()).toContain('WARN  raft: node node3 was removed from the cluster');
    const target = new ServerTarget(addressOf('node3'), {});
    for (const sql of ['SELECT 1', 'CREATE TABLE gone (id INT)']) {
      const startedMs = Date.now();
      const failure = await target.execute(sql).then(() => null, (error: unknown) => error);
      expect(String(failure)).toContain('node node3 was removed from the cluster');
      expect(Date.now() - startedMs).toBeLessThan(CLIENT_AT_ONCE_MS_MAX);
    }
    await target.close();
    // A write gets it as "not applied, safe to retry: ...", and is not retried either.
    const writeStartedMs = Date.now();
    const refused = await runChronos(['client', '--leader', addressOf('node3'), '-e', 'CREATE TABLE gone (id INT)']);
    expect(Date.now() - writeStartedMs).toBeLessThan(AT_ONCE_MS_MAX);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^Error: 127\.0\.0\.1:\d+: not applied, safe to retry: node node3 was removed from the cluster .*\n$/);

    // The way back the message gives: add it again while it runs, with the dir it kept.
    const added = await runChronos(['admin', 'add-node', `node3=${addressOf('node3')}`, '--http', adminOf('node1')]);
    expect(added.code, added.stderr).toBe(0);
    await waitFor('node3 a voter again', 30_000, async () => {
      const h = await health(cluster.node('node3'));
      return h?.leader !== null && h?.voters.includes('node3') === true ? true : null;
    });
    const write = await runChronos(['client', '--leader', addressOf('node3'), '-e', 'CREATE TABLE back (id INT)']);
    expect(write.stderr).toBe('');
    expect(write.stdout).toBe('Table back created\n');
    expect((await runChronos(['admin', 'status', '--http', adminOf('node3')])).stdout).not.toContain('removed');
  }, 120_000);
});
