import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SqlClient } from '../../src/api/grpc/index.js';
import type { TlsMaterial } from '../../src/transport/index.js';
import { makeTestCertificates } from '../helpers/certs.js';
import type { TestCertificates } from '../helpers/certs.js';
import { waitFor } from '../helpers/node-process.js';
import type { NodeProcess } from '../helpers/node-process.js';
import { freeNodePort } from '../helpers/ports.js';
import { edgeHarness } from './edge-harness.js';
import { syncStatus } from './sync-status-client.js';

/**
 * The scheme of `--sync-target` decides how the edge dials its target: https:// is TLS (the CA
 * of CHRONOS_TLS_CA_CERT, else the system roots; CHRONOS_TLS_CERT/KEY presented for mTLS),
 * http:// is plaintext, and an http:// target on an edge that has TLS set up is refused at start.
 */
describe('--sync-target http:// and https:// with real nodes', () => {
  const { makeDir, launch, sql, writable } = edgeHarness();

  const setUp = async (): Promise<{ dir: string; certs: TestCertificates; cloudPort: number; edgePort: number }> => {
    const dir = await makeDir('chronos-sync-tls-');
    const certs = await makeTestCertificates(dir);
    const cloudPort = await freeNodePort();
    const edgePort = await freeNodePort(new Set([cloudPort]));
    return { dir, certs, cloudPort, edgePort };
  };
  const node = (dir: string, id: string, port: number, args: string[], env: NodeJS.ProcessEnv): NodeProcess =>
    launch({ id, dataDir: join(dir, 'data'), port, args, env });
  const clientTls = async (certs: TestCertificates): Promise<TlsMaterial> => ({
    ca: await readFile(certs.caCert), cert: await readFile(certs.clientCert), key: await readFile(certs.clientKey),
    domain: 'localhost',
  });
  const rowCount = (client: SqlClient, table: string, expected: number): Promise<boolean> =>
    waitFor(`${expected} rows of ${table} on the cloud`, 20_000, async () => {
      const result = await client.execute(`SELECT count(*) FROM ${table}`).catch(() => null);
      return result?.kind === 'rows' && Number(result.rows[0]?.[0]) === expected ? true : null;
    });
  const syncArgs = (scheme: string, cloudPort: number): string[] =>
    ['--sync-target', `${scheme}://127.0.0.1:${cloudPort}`, '--sync-interval-secs', '1'];

  it('https:// with no CHRONOS_TLS_* on the edge dials TLS and trusts the system roots', async () => {
    const { dir, certs, cloudPort, edgePort } = await setUp();
    // The cloud serves TLS without asking for client certificates.
    node(dir, 'cloud', cloudPort, [], { CHRONOS_TLS_CERT: certs.serverCert, CHRONOS_TLS_KEY: certs.serverKey });
    // The test CA stands in for the system roots (grpc-js reads them from this file when set).
    node(dir, 'edge1', edgePort, syncArgs('https', cloudPort), { GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: certs.caCert });
    await writable(edgePort);
    await sql(edgePort).execute('CREATE TABLE sensors (id INT, temp FLOAT)');
    await sql(edgePort).execute('INSERT INTO sensors VALUES (1, 25.5)');
    await rowCount(sql(cloudPort, await clientTls(certs)), 'sensors', 1);
    expect((await syncStatus(edgePort)).pendingOps).toBe('0');
  });

  it('https:// to an mTLS cloud presents CHRONOS_TLS_CERT/KEY and verifies with CHRONOS_TLS_CA_CERT', async () => {
    const { dir, certs, cloudPort, edgePort } = await setUp();
    const tlsEnv = { CHRONOS_TLS_CERT: certs.serverCert, CHRONOS_TLS_KEY: certs.serverKey, CHRONOS_TLS_CA_CERT: certs.caCert };
    node(dir, 'cloud', cloudPort, [], tlsEnv);
    node(dir, 'edge1', edgePort, syncArgs('https', cloudPort), tlsEnv);
    const tls = await clientTls(certs);
    await writable(edgePort, tls);
    await sql(edgePort, tls).execute('CREATE TABLE sensors (id INT, temp FLOAT)');
    await sql(edgePort, tls).execute('INSERT INTO sensors VALUES (1, 25.5)');
    await rowCount(sql(cloudPort, tls), 'sensors', 1);
  });

  it('https:// to a plaintext target fails every batch and keeps the outbox', async () => {
    const { dir, cloudPort, edgePort } = await setUp();
    node(dir, 'cloud', cloudPort, [], {});
    node(dir, 'edge1', edgePort, syncArgs('https', cloudPort), {});
    await writable(edgePort);
    await sql(edgePort).execute('CREATE TABLE sensors (id INT, temp FLOAT)');
    const status = await waitFor('a failed batch', 20_000, async () => {
      const s = await syncStatus(edgePort).catch(() => null);
      return s !== null && s.lastError !== '' ? s : null;
    });
    expect(status.pendingOps).toBe('1');
    await writable(cloudPort);
    const tables = await sql(cloudPort).execute('SHOW TABLES');
    expect(tables.kind === 'rows' ? tables.rows : []).toEqual([]);
  });

  it('http:// on an edge that has TLS set up is refused at start in one line', async () => {
    const { dir, certs, cloudPort, edgePort } = await setUp();
    const edge = node(dir, 'edge1', edgePort, syncArgs('http', cloudPort),
      { CHRONOS_TLS_CERT: certs.serverCert, CHRONOS_TLS_KEY: certs.serverKey, CHRONOS_TLS_CA_CERT: certs.caCert });
    const code = await Promise.race([edge.exited(), new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), 8_000))]);
    expect(code).not.toBe('running');
    expect(code).not.toBe(0);
    const lines = edge.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Error: --sync-target http:\/\/127\.0\.0\.1:\d+ is plaintext, but this node has TLS set up/);
    expect(lines[0]).toContain(`https://127.0.0.1:${cloudPort}`);
  });
});
