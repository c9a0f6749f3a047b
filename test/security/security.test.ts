import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerClients } from '../../src/transport/peer-client.js';
import { SqlClient } from '../../src/api/grpc/index.js';
import { makeTestCertificates } from '../helpers/certs.js';
import type { TestCertificates } from '../helpers/certs.js';
import { freeNodePort } from '../helpers/ports.js';
import { CHRONOS_BIN, startNode, stopNode, waitFor } from '../helpers/node-process.js';
import type { NodeProcess } from '../helpers/node-process.js';

const run = promisify(execFile);
const ADMIN = 'admin-secret-token';
const READONLY = 'readonly-secret-token';

async function chronos(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CHRONOS_BIN, ...args], {
      env: { ...process.env, ...env },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Starts a 3-node cluster with `env` on every node; resolves once a leader is reported. */
async function startCluster(
  dataDir: string,
  env: NodeJS.ProcessEnv,
  leaderOf: (node: NodeProcess) => Promise<boolean>,
): Promise<NodeProcess[]> {
  const taken = new Set<number>();
  const ports: number[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freeNodePort(taken);
    taken.add(port);
    ports.push(port);
  }
  const nodes = ports.map((port, i) => {
    const peers = new Map<string, number>();
    ports.forEach((other, j) => {
      if (j !== i) peers.set(`node${j + 1}`, other);
    });
    return startNode({ id: `node${i + 1}`, dataDir, port, peers, env });
  });
  await waitFor('a leader', 20_000, async () => {
    for (const node of nodes) if (await leaderOf(node)) return true;
    return null;
  });
  return nodes;
}

async function httpStatus(url: string, token: string | null): Promise<number> {
  const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(3_000) });
  return response.status;
}

describe('auth tokens on every endpoint of a 3-node cluster', () => {
  let dataDir = '';
  let nodes: NodeProcess[] = [];
  const env = { CHRONOS_AUTH_TOKEN_ADMIN: ADMIN, CHRONOS_AUTH_TOKEN_READONLY: READONLY };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'chronos-auth-'));
    nodes = await startCluster(dataDir, env, async (node) => {
      const response = await fetch(`http://127.0.0.1:${node.adminPort}/health`, {
        headers: { authorization: `Bearer ${ADMIN}` },
        signal: AbortSignal.timeout(1_000),
      }).catch(() => null);
      return response?.ok === true && ((await response.json()) as { role: string }).role === 'Leader';
    });
  });
  afterAll(async () => {
    await Promise.all(nodes.map((node) => stopNode(node)));
    await rm(dataDir, { recursive: true, force: true });
  });

  const sql = (node: NodeProcess, token: string | null): SqlClient =>
    new SqlClient({ address: `127.0.0.1:${node.port}`, tls: null, token, deadlineMs: 10_000 });

  it('gRPC: missing or wrong token is UNAUTHENTICATED, read-only writes are PERMISSION_DENIED', async () => {
    const node = nodes[1]!;
    const admin = sql(node, ADMIN);
    const readonly = sql(node, READONLY);
    const none = sql(node, null);
    const wrong = sql(node, 'not-the-token');
    try {
      await expect(admin.execute('CREATE TABLE secrets (id INT PRIMARY KEY, v STRING)')).resolves.toMatchObject({
        message: 'Table secrets created',
      });
      await expect(admin.execute("INSERT INTO secrets VALUES (1, 'x')")).resolves.toMatchObject({ rowsAffected: 1 });
      await expect(none.execute('SELECT * FROM secrets')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      await expect(wrong.execute('SELECT * FROM secrets')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      // Refused before it is parsed: without the token nothing tells what the node makes of a statement.
      for (const statement of ['SELEC 1', '', 'SELECT 1; SELECT 2', `SELECT '${'x'.repeat(17 * 1024 * 1024)}'`]) {
        await expect(none.execute(statement), statement.slice(0, 20)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      }
      await expect(readonly.execute('SELECT v FROM secrets')).resolves.toMatchObject({ rows: [['x']] });
      await expect(readonly.execute("INSERT INTO secrets VALUES (2, 'y')")).rejects.toMatchObject({
        code: 'PERMISSION_DENIED',
      });
      await expect(readonly.execute('DROP TABLE secrets')).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
      await expect(readonly.execute('ALTER TABLE secrets ADD COLUMN w INT')).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
      // Introspection is a read: a read-only token may list, describe and explain.
      await expect(readonly.execute('SHOW TABLES')).resolves.toMatchObject({ rows: [['secrets', 2, 'id', null, 'row']] });
      await expect(readonly.execute('DESCRIBE secrets')).resolves.toMatchObject({ rows: [['id', 'INT', true, 1, null], ['v', 'STRING', false, null, null]] });
      await expect(readonly.execute('EXPLAIN SELECT v FROM secrets WHERE id = 1')).resolves.toMatchObject({ rows: [['Filter id = 1'], ['  PK LOOKUP secrets (1)']] });
      await expect(admin.execute('SELECT count(*) FROM secrets')).resolves.toMatchObject({ rows: [[1]] });
      const named = new SqlClient({ address: `127.0.0.1:${node.port}`, tls: null, token: ADMIN, user: 'alice' });
      await named.execute("INSERT INTO secrets VALUES (3, 'z')");
      named.close();
      await waitFor('the audit line', 5_000, () => (/audit: write .*user=alice/.test(node.output()) ? true : null));
    } finally {
      for (const c of [admin, readonly, none, wrong]) c.close();
    }
  });

  it('admin HTTP: 401 without or with a wrong token, 200 with either token', async () => {
    for (const node of nodes) {
      for (const path of ['/health', '/metrics', '/debug/write-hops']) {
        const url = `http://127.0.0.1:${node.adminPort}${path}`;
        expect(await httpStatus(url, null), path).toBe(401);
        expect(await httpStatus(url, 'wrong'), path).toBe(401);
        expect(await httpStatus(url, READONLY), path).toBe(200);
        expect(await httpStatus(url, ADMIN), path).toBe(200);
      }
    }
  });

  it('chronos client and admin status use CHRONOS_AUTH_TOKEN and fail in one clear line without it', async () => {
    const node = nodes[0]!;
    const ok = await chronos(['client', '--leader', `127.0.0.1:${node.port}`, '-e', 'SELECT count(*) FROM secrets'], {
      CHRONOS_AUTH_TOKEN: ADMIN,
    });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('| 2        |');
    const denied = await chronos(['client', '--leader', `127.0.0.1:${node.port}`, '-e', 'SELECT 1'], {
      CHRONOS_AUTH_TOKEN: 'wrong',
    });
    expect(denied.code).toBe(1);
    expect(denied.stderr.trim().split('\n')).toHaveLength(1);
    expect(denied.stderr).toMatch(/^Error: .*(unauthenticated|token)/i);
    const status = await chronos(['admin', 'status', '--http', `127.0.0.1:${node.adminPort}`], {
      CHRONOS_AUTH_TOKEN: READONLY,
    });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^\{"status":"ok","role":"(Leader|Follower)","term":\d+/);
  });

  it('refuses Raft traffic from a peer that does not carry the admin token', async () => {
    const target = nodes[0]!;
    const intruder = new PeerClients(new Map([['node1', `127.0.0.1:${target.port}`]]), { token: null });
    try {
      const append = {
        type: 'append' as const, from: 'node9', to: 'node1', term: 999, prevLogIndex: 0, prevLogTerm: 0,
        entries: [{ index: 1, term: 999, type: 'command' as const, data: new Uint8Array([1, 2, 3]) }],
        commit: 1, readContext: 0, commitOnly: false,
      };
      const refused = await intruder.call(append);
      expect(refused.ok).toBe(false);
      expect(refused.ok ? null : refused.failure.grpcStatus).toBe(16); // UNAUTHENTICATED
      const vote = await intruder.call({
        type: 'vote', from: 'node9', to: 'node1', term: 999, preVote: false, lastLogIndex: 99, lastLogTerm: 99,
        leadershipTransfer: true, recovering: false,
      });
      expect(vote.ok).toBe(false);
      // The streaming channel refuses it too.
      const failures: number[] = [];
      const streamer = new PeerClients(new Map([['node1', `127.0.0.1:${target.port}`]]), {
        token: null,
        onFailure: (failure) => {
          if (failure.grpcStatus !== null) failures.push(failure.grpcStatus);
        },
      });
      try {
        expect(streamer.stream(append)).toBe(true);
        await waitFor('the stream to be refused', 5_000, () => (failures.includes(16) ? true : null));
      } finally {
        streamer.close();
      }
      // The cluster did not adopt the intruder's term.
      const health = await fetch(`http://127.0.0.1:${target.adminPort}/health`, {
        headers: { authorization: `Bearer ${ADMIN}` },
      }).then((r) => r.json() as Promise<{ term: number }>);
      expect(health.term).toBeLessThan(999);
    } finally {
      intruder.close();
    }
  });
});

describe('TLS and mTLS with certificates made by openssl', () => {
  let dir = '';
  let certs: TestCertificates;
  let nodes: NodeProcess[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chronos-tls-'));
    certs = await makeTestCertificates(dir);
    const env = {
      CHRONOS_TLS_CERT: certs.serverCert,
      CHRONOS_TLS_KEY: certs.serverKey,
      CHRONOS_TLS_CA_CERT: certs.caCert,
    };
    nodes = await startCluster(join(dir, 'data'), env, async (node) => {
      const status = await run('curl', ['-s', '--cacert', certs.caCert, '--cert', certs.clientCert, '--key',
        certs.clientKey, `https://localhost:${node.adminPort}/health`], { timeout: 3_000 }).catch(() => null);
      return status !== null && status.stdout.includes('"role":"Leader"');
    });
  });
  afterAll(async () => {
    await Promise.all(nodes.map((node) => stopNode(node)));
    await rm(dir, { recursive: true, force: true });
  });

  const clientEnv = (): NodeJS.ProcessEnv => ({
    CHRONOS_TLS_CA_CERT: certs.caCert,
    CHRONOS_TLS_CERT: certs.clientCert,
    CHRONOS_TLS_KEY: certs.clientKey,
  });

  it('serves SQL to a client with a certificate signed by the CA, through a follower too', async () => {
    for (const node of nodes) {
      const result = await chronos(['client', '--leader', `127.0.0.1:${node.port}`, '--format', 'csv', '-e',
        `CREATE TABLE IF_NOT_EXISTS_${node.id} (id INT)`], clientEnv());
      expect(result.code, result.stderr).toBe(0);
    }
    const insert = await chronos(['client', '--leader', `127.0.0.1:${nodes[2]!.port}`, '-e',
      'INSERT INTO if_not_exists_node1 VALUES (7)'], clientEnv());
    expect(insert.code, insert.stderr).toBe(0);
    const read = await chronos(['client', '--leader', `127.0.0.1:${nodes[1]!.port}`, '--format', 'csv', '-e',
      'SELECT id FROM if_not_exists_node1'], clientEnv());
    expect(read.stdout).toBe('id\n7\n');
  });

  it('refuses a plaintext client, a client without a certificate and one signed by another CA', async () => {
    const address = ['client', '--leader', `127.0.0.1:${nodes[0]!.port}`, '-e', 'SELECT 1'];
    const plaintext = await chronos(address, {});
    expect(plaintext.code).toBe(1);
    expect(plaintext.stderr).toMatch(/^Error: /);
    const noCert = await chronos(address, { CHRONOS_TLS_CA_CERT: certs.caCert });
    expect(noCert.code).toBe(1);
    const rogue = await chronos(address, {
      CHRONOS_TLS_CA_CERT: certs.caCert,
      CHRONOS_TLS_CERT: certs.rogueClientCert,
      CHRONOS_TLS_KEY: certs.rogueClientKey,
    });
    expect(rogue.code).toBe(1);
    const good = await chronos(address, clientEnv());
    expect(good.code, good.stderr).toBe(0);
  });

  it('passes the guide check `openssl s_client -connect HOST:PORT -CAfile ca.crt`', async () => {
    // The guide's command as written: no client certificate. Under mTLS the server then ends
    // the session, but the server's certificate has been verified against the CA by then.
    const { stdout } = await run('bash', ['-c',
      `echo | openssl s_client -connect 127.0.0.1:${nodes[0]!.port} -CAfile ${certs.caCert} 2>&1 || true`],
      { timeout: 15_000 });
    expect(stdout).toMatch(/Verify return code: 0 \(ok\)/);
  });

  it('serves the admin API over https and `chronos admin status` verifies it', async () => {
    const status = await chronos(['admin', 'status', '--http', `127.0.0.1:${nodes[0]!.adminPort}`], clientEnv());
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^\{"status":"ok","role":"(Leader|Follower)"/);
    const plain = await fetch(`http://127.0.0.1:${nodes[0]!.adminPort}/health`).then((r) => r.status, () => -1);
    expect(plain).not.toBe(200);
  });

  it('fails at start with one clear line when a TLS path is wrong', async () => {
    const port = await freeNodePort();
    const bad = await chronos(['node', '--id', 'x', '--data-dir', join(dir, 'bad'), '--address', `127.0.0.1:${port}`], {
      CHRONOS_TLS_CERT: join(dir, 'missing.crt'),
      CHRONOS_TLS_KEY: certs.serverKey,
    });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/CHRONOS_TLS_CERT.*missing\.crt/);
  });
});
