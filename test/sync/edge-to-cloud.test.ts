import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatementResult } from '../../src/sql/result.js';
import { READINGS_DDL } from '../../src/ingest/index.js';
import { SqlClient } from '../../src/api/grpc/index.js';
import { health, signalNode, startNode, stopNode, waitFor } from '../helpers/node-process.js';
import type { NodeProcess } from '../helpers/node-process.js';
import { freeNodePort } from '../helpers/ports.js';
import { connectivity, syncStatus } from './sync-status-client.js';

const GUIDE_SQL = [
  'CREATE TABLE sensors (id INT, temp FLOAT, device STRING)',
  "INSERT INTO sensors VALUES (1, 25.5, 'sensor-01')",
  "INSERT INTO sensors VALUES (2, 30.0, 'sensor-02')",
];

function rowsOf(result: StatementResult): unknown[][] {
  return result.kind === 'rows' ? result.rows.map((row) => [...row]) : [];
}

/**
 * The guide's edge-to-cloud topology with real processes: a cloud node, an edge node with
 * `--sync-target`, writes on the edge, the rows on the cloud, and GetSyncStatus as grpcurl sees it;
 * then the faults: the cloud down while the edge writes, the edge SIGKILLed mid-sync, a wrong token.
 */
describe('edge-to-cloud sync with real nodes', () => {
  const started: NodeProcess[] = [];
  const clients: SqlClient[] = [];
  let dir = '';

  const launch = (id: string, port: number, extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): NodeProcess => {
    const node = startNode({ id, dataDir: dir, port, peers: new Map(), extraArgs, env });
    started.push(node);
    return node;
  };
  const sql = (port: number, token: string | null = null): SqlClient => {
    const client = new SqlClient({ address: `127.0.0.1:${port}`, tls: null, token, deadlineMs: 10_000 });
    clients.push(client);
    return client;
  };
  const leading = (node: NodeProcess, token: string | null = null): Promise<boolean> =>
    waitFor(`${node.id} leading`, 20_000, async () => {
      if (token === null) return (await health(node))?.role === 'Leader' ? true : null;
      const response = await fetch(`http://127.0.0.1:${node.adminPort}/health`,
        { headers: { authorization: `Bearer ${token}` } }).catch(() => null);
      return response?.ok === true && ((await response.json()) as { role: string }).role === 'Leader' ? true : null;
    });
  const edgeArgs = (cloudPort: number, batch = 100): string[] =>
    ['--sync-target', `http://127.0.0.1:${cloudPort}`, '--sync-interval-secs', '1', '--sync-batch-size', String(batch)];
  const drained = (edgePort: number, token: string | null = null): Promise<boolean> => waitFor('the edge outbox empty', 30_000, async () => {
    const status = await syncStatus(edgePort, token).catch(() => null);
    return status?.pendingOps === '0' && status.lastError === '' ? true : null;
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await Promise.all(started.splice(0).map((node) => stopNode(node)));
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it("runs the guide's walkthrough as written", async () => {
    dir = await mkdtemp(join(tmpdir(), 'chronos-sync-guide-'));
    const cloudPort = await freeNodePort();
    const edgePort = await freeNodePort(new Set([cloudPort]));
    const cloud = launch('cloud', cloudPort, ['--clean']);
    // The guide's flags exactly: a 5 s interval and batches of 100.
    const edge = launch('edge1', edgePort, ['--clean', '--sync-target', `http://127.0.0.1:${cloudPort}`,
      '--sync-interval-secs', '5', '--sync-batch-size', '100']);
    await leading(cloud);
    await leading(edge);
    // An idle edge whose check reached the cloud says so before it ships anything. Its first check
    // may come before the cloud serves; until one succeeds it checks again at every retry (<= 5 s).
    await waitFor('the idle edge to report Connected', 15_000, async () => ((await connectivity(edgePort)) === 'Connected' ? true : null));
    // last_sync_applied counts the row changes of the last Sync alone. The guide's 2 means both
    // INSERTs went in one: a 5 s tick between them (a busy machine) would report 1. So the table
    // goes first, and the INSERTs follow right after a Sync, ~5 s before the next.
    const [createTable, ...inserts] = GUIDE_SQL;
    await sql(edgePort).execute(createTable as string);
    await drained(edgePort);
    for (const statement of inserts) await sql(edgePort).execute(statement);
    const rows = await waitFor('both rows on the cloud', 20_000, async () => {
      const result = await sql(cloudPort).execute('SELECT * FROM sensors ORDER BY id').catch(() => null);
      return result !== null && rowsOf(result).length === 2 ? rowsOf(result) : null;
    });
    expect(rows).toEqual([[1, 25.5, 'sensor-01'], [2, 30, 'sensor-02']]);
    await drained(edgePort);
    const status = await syncStatus(edgePort);
    expect(Number(status.lastSyncTsMs)).toBeGreaterThan(Date.now() - 60_000);
    expect(status).toMatchObject({ lastSyncApplied: '2', pendingOps: '0', lastError: '' });
    expect(await connectivity(edgePort)).toBe('Connected');
    const edgeMetrics = await (await fetch(`http://127.0.0.1:${edge.adminPort}/metrics`)).text();
    expect(edgeMetrics).toMatch(/^chronos_sync_edge_pending_ops 0$/m);
    expect(edgeMetrics).toMatch(/^chronos_sync_edge_ops_shipped_total 3$/m);
    const cloudMetrics = await (await fetch(`http://127.0.0.1:${cloud.adminPort}/metrics`)).text();
    expect(cloudMetrics).toMatch(/^chronos_sync_ops_applied_total\{edge="edge1"\} 3$/m);
    expect(cloudMetrics).not.toMatch(/chronos_sync_edge_pending_ops/);
  });

  it('an idle edge started before its cloud reports Connected within its retry backoff of the cloud coming up', async () => {
    dir = await mkdtemp(join(tmpdir(), 'chronos-sync-idle-'));
    const cloudPort = await freeNodePort();
    const edgePort = await freeNodePort(new Set([cloudPort]));
    const edge = launch('edge1', edgePort, edgeArgs(cloudPort));
    await leading(edge);
    await waitFor('the edge to fail its first check', 10_000, async () => ((await connectivity(edgePort)) === 'Disconnected' ? true : null));
    const cloud = launch('cloud', cloudPort);
    await leading(cloud);
    // The retry backoff is at most 5 s; a connected idle edge's 30 s recheck would miss this bound.
    await waitFor('the idle edge to report Connected', 12_000, async () => ((await connectivity(edgePort)) === 'Connected' ? true : null));
    expect((await syncStatus(edgePort)).pendingOps).toBe('0');
  });

  it('keeps writing while the cloud is down, then delivers every row once', async () => {
    dir = await mkdtemp(join(tmpdir(), 'chronos-sync-outage-'));
    const cloudPort = await freeNodePort();
    const edgePort = await freeNodePort(new Set([cloudPort]));
    const edge = launch('edge1', edgePort, edgeArgs(cloudPort, 10));
    await leading(edge);
    await sql(edgePort).execute('CREATE TABLE log (n INT, note STRING)');
    for (let n = 1; n <= 40; n += 1) await sql(edgePort).execute(`INSERT INTO log VALUES (${n}, 'row ${n}')`);
    const offline = await waitFor('the edge to report the cloud unreachable', 15_000, async () => {
      const status = await syncStatus(edgePort);
      return status.lastError.startsWith('unreachable') ? status : null;
    });
    expect(Number(offline.pendingOps)).toBe(41);
    expect(await connectivity(edgePort)).not.toBe('Connected');
    const cloud = launch('cloud', cloudPort);
    await leading(cloud);
    await drained(edgePort);
    const result = await sql(cloudPort).execute('SELECT n FROM log ORDER BY n');
    expect(rowsOf(result).map((row) => row[0])).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it("a cloud restarted with the guide's --clean gets every table of the edge again, once", async () => {
    dir = await mkdtemp(join(tmpdir(), 'chronos-sync-wiped-'));
    const cloudPort = await freeNodePort();
    const edgePort = await freeNodePort(new Set([cloudPort]));
    let cloud = launch('cloud', cloudPort, ['--clean']);
    const edge = launch('edge1', edgePort, ['--clean', ...edgeArgs(cloudPort, 10)]);
    await leading(cloud);
    await leading(edge);
    for (const statement of GUIDE_SQL) await sql(edgePort).execute(statement);
    await sql(edgePort).execute('CREATE TABLE kv (k INT PRIMARY KEY, v STRING)');
    await sql(edgePort).execute("INSERT INTO kv VALUES (1, 'one'), (2, 'two')");
    await drained(edgePort);
    await stopNode(cloud);
    // Written while the cloud is away; it comes back empty, as the guide's command starts it.
    await sql(edgePort).execute("INSERT INTO sensors VALUES (3, 31.0, 'sensor-03')");
    await sql(edgePort).execute("UPDATE kv SET v = 'uno' WHERE k = 1");
    cloud = launch('cloud', cloudPort, ['--clean']);
    await leading(cloud);
    await drained(edgePort);
    const sensors = await sql(cloudPort).execute('SELECT * FROM sensors ORDER BY id');
    expect(rowsOf(sensors)).toEqual([[1, 25.5, 'sensor-01'], [2, 30, 'sensor-02'], [3, 31, 'sensor-03']]);
    expect(rowsOf(await sql(cloudPort).execute('SELECT * FROM kv ORDER BY k'))).toEqual([[1, 'uno'], [2, 'two']]);
    expect(edge.output()).toMatch(/sync target lost ops it had acknowledged .*cursor=0/);
    const metrics = await (await fetch(`http://127.0.0.1:${edge.adminPort}/metrics`)).text();
    expect(Number(/^chronos_sync_edge_ops_resent_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
  });

  it('loses and doubles nothing when the edge is SIGKILLed mid-sync', async () => {
    dir = await mkdtemp(join(tmpdir(), 'chronos-sync-kill-'));
    const cloudPort = await freeNodePort();
    const edgePort = await freeNodePort(new Set([cloudPort]));
    const cloud = launch('cloud', cloudPort);
    await leading(cloud);
    let edge = launch('edge1', edgePort, edgeArgs(cloudPort, 5));
    await leading(edge);
    await sql(edgePort).execute('CREATE TABLE log (n INT)');
    for (let start = 1; start <= 300; start += 50) {
      const values = Array.from({ length: 50 }, (_, i) => `(${start + i})`).join(', ');
      await sql(edgePort).execute(`INSERT INTO log VALUES ${values}`);
    }
    await waitFor('some rows on the cloud', 20_000, async () => {
      const result = await sql(cloudPort).execute('SELECT COUNT(*) FROM log').catch(() => null);
      return result !== null && Number(rowsOf(result)[0]?.[0]) > 20 ? true : null;
    });
    signalNode(edge, 'SIGKILL');
    await edge.exited();
    edge = launch('edge1', edgePort, edgeArgs(cloudPort, 50));
    await leading(edge);
    await drained(edgePort);
    const result = await sql(cloudPort).execute('SELECT n FROM log ORDER BY n');
    expect(rowsOf(result).map((row) => row[0])).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  });

  it('a wrong token: lastError says auth, nothing applied, the queue kept; the right token delivers once', async () => {
    dir = await mkdtemp(join(tmpdir(), 'chronos-sync-auth-'));
    const cloudPort = await freeNodePort();
    const edgePort = await freeNodePort(new Set([cloudPort]));
    const cloud = launch('cloud', cloudPort, [], { CHRONOS_AUTH_TOKEN_ADMIN: 'cloud-secret' });
    await leading(cloud, 'cloud-secret');
    let edge = launch('edge1', edgePort, edgeArgs(cloudPort), { CHRONOS_AUTH_TOKEN_ADMIN: 'wrong-secret' });
    await leading(edge, 'wrong-secret');
    for (const statement of GUIDE_SQL) await sql(edgePort, 'wrong-secret').execute(statement);
    // With tokens on, the status service needs one too.
    expect(await syncStatus(edgePort).catch((error: { code?: number }) => error.code)).toBe(16);
    const refused = await waitFor('lastError naming auth', 15_000, async () => {
      const status = await syncStatus(edgePort, 'wrong-secret');
      return status.lastError.startsWith('auth refused') ? status : null;
    });
    expect(refused.pendingOps).toBe('3');
    const tables = await sql(cloudPort, 'cloud-secret').execute('SHOW TABLES');
    expect(rowsOf(tables)).toEqual([]);
    await stopNode(edge);
    edge = launch('edge1', edgePort, edgeArgs(cloudPort), { CHRONOS_AUTH_TOKEN_ADMIN: 'cloud-secret' });
    await leading(edge, 'cloud-secret');
    await drained(edgePort, 'cloud-secret');
    const rows = await sql(cloudPort, 'cloud-secret').execute('SELECT id FROM sensors ORDER BY id');
    expect(rowsOf(rows)).toEqual([[1], [2]]);
  });

  it('readings a device posts to the edge reach the cloud', async () => {
    dir = await mkdtemp(join(tmpdir(), 'chronos-sync-ingest-'));
    const cloudPort = await freeNodePort();
    const edgePort = await freeNodePort(new Set([cloudPort]));
    const cloud = launch('cloud', cloudPort);
    const edge = launch('edge1', edgePort, ['--enable-ingest', ...edgeArgs(cloudPort)]);
    await leading(cloud);
    await leading(edge);
    await sql(edgePort).execute(READINGS_DDL);
    const response = await fetch(`http://127.0.0.1:${edge.adminPort}/ingest`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ device_id: 'esp-001', ts: 1733856000, seq: 42, metrics: { temp: 30.5, humidity: 40.2 } }]),
    });
    expect(response.status).toBe(202);
    const rows = await waitFor('the readings on the cloud', 20_000, async () => {
      const result = await sql(cloudPort).execute('SELECT reading_id, value FROM readings ORDER BY reading_id').catch(() => null);
      return result !== null && rowsOf(result).length === 2 ? rowsOf(result) : null;
    });
    expect(rows).toEqual([['esp-001:1733856000:42:humidity', 40.2], ['esp-001:1733856000:42:temp', 30.5]]);
  });

  it('a full outbox refuses writes (never drops ops) and takes them again once the cloud drains it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'chronos-sync-full-'));
    const cloudPort = await freeNodePort();
    const edgePort = await freeNodePort(new Set([cloudPort]));
    const edge = launch('edge1', edgePort, [...edgeArgs(cloudPort, 1000), '--sync-max-queue-mb', '1']);
    await leading(edge);
    await sql(edgePort).execute('CREATE TABLE log (n INT, note STRING)');
    const note = 'x'.repeat(200);
    let stored = 0;
    let refusal: unknown = null;
    // ~1.2 MB of ops in 10 statements: the outbox passes 1 MiB before the last of them.
    for (let batch = 0; batch < 12 && refusal === null; batch += 1) {
      const values = Array.from({ length: 500 }, (_, i) => `(${batch * 500 + i}, '${note}')`).join(', ');
      refusal = await sql(edgePort).execute(`INSERT INTO log VALUES ${values}`).then(() => null, (error: unknown) => error);
      if (refusal === null) stored += 500;
    }
    expect(String(refusal)).toMatch(/not applied: the sync outbox is full \(1\.\d MB of 1\.0 MB/);
    const cloud = launch('cloud', cloudPort);
    await leading(cloud);
    await drained(edgePort);
    await sql(edgePort).execute("INSERT INTO log VALUES (-1, 'after')");
    await drained(edgePort);
    const count = await sql(cloudPort).execute('SELECT COUNT(*) FROM log');
    expect(rowsOf(count)).toEqual([[stored + 1]]);
  });

  it('two edges writing the same keys converge on the cloud to the newest write of each key', async () => {
    dir = await mkdtemp(join(tmpdir(), 'chronos-sync-two-'));
    const cloudPort = await freeNodePort();
    const aPort = await freeNodePort(new Set([cloudPort]));
    const bPort = await freeNodePort(new Set([cloudPort, aPort]));
    const edgeA = launch('edge-a', aPort, edgeArgs(cloudPort));
    const edgeB = launch('edge-b', bPort, edgeArgs(cloudPort));
    await leading(edgeA);
    await leading(edgeB);
    const ddl = 'CREATE TABLE settings (k INT PRIMARY KEY, v STRING)';
    await sql(aPort).execute(ddl);
    await sql(bPort).execute(ddl);
    // Interleaved in time while the cloud is down: the later write of each key must win,
    // whichever edge's batch reaches the cloud first.
    await sql(aPort).execute("INSERT INTO settings VALUES (1, 'a1'), (2, 'a2'), (3, 'a3')");
    await new Promise((resolve) => setTimeout(resolve, 20));
    await sql(bPort).execute("INSERT INTO settings VALUES (1, 'b1'), (2, 'b2')");
    await new Promise((resolve) => setTimeout(resolve, 20));
    await sql(aPort).execute("UPDATE settings SET v = 'a2-later' WHERE k = 2");
    await sql(bPort).execute('DELETE FROM settings WHERE k = 1');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await sql(aPort).execute("INSERT INTO settings VALUES (4, 'a4')");
    const cloud = launch('cloud', cloudPort);
    await leading(cloud);
    await drained(aPort);
    await drained(bPort);
    const rows = await sql(cloudPort).execute('SELECT k, v FROM settings ORDER BY k');
    expect(rowsOf(rows)).toEqual([[2, 'a2-later'], [3, 'a3'], [4, 'a4']]);
  });

  it('loses and doubles nothing when the cloud is SIGKILLed again and again mid-drain', async () => {
    dir = await mkdtemp(join(tmpdir(), 'chronos-sync-cloudkill-'));
    const cloudPort = await freeNodePort();
    const edgePort = await freeNodePort(new Set([cloudPort]));
    let cloud = launch('cloud', cloudPort);
    await leading(cloud);
    const edge = launch('edge1', edgePort, edgeArgs(cloudPort, 5));
    await leading(edge);
    await sql(edgePort).execute('CREATE TABLE log (n INT)');
    const count = async (): Promise<number> => {
      const result = await sql(cloudPort).execute('SELECT COUNT(*) FROM log').catch(() => null);
      return result === null ? -1 : Number(rowsOf(result)[0]?.[0]);
    };
    for (let start = 1; start <= 400; start += 100) {
      await sql(edgePort).execute(`INSERT INTO log VALUES ${Array.from({ length: 100 }, (_, i) => `(${start + i})`).join(', ')}`);
    }
    // Three kills at whatever point of a batch the cloud is in: applied but not yet answered included.
    for (const reached of [40, 150, 260]) {
      await waitFor(`${reached} rows on the cloud`, 30_000, async () => ((await count()) >= reached ? true : null));
      signalNode(cloud, 'SIGKILL');
      await cloud.exited();
      cloud = launch('cloud', cloudPort);
      await leading(cloud);
    }
    await drained(edgePort);
    const result = await sql(cloudPort).execute('SELECT n FROM log ORDER BY n');
    expect(rowsOf(result).map((row) => row[0])).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
  });
});
