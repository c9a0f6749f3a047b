import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatementResult } from '../../src/sql/result.js';
import { loadTlsMaterial, tlsConfigFromEnv } from '../../src/transport/credentials.js';
import type { TlsMaterial } from '../../src/transport/credentials.js';
import type { GrpcServer } from '../../src/transport/index.js';
import { nodeGrpcServer } from '../../src/cli/grpc-endpoint.js';
import type { CallContext } from '../../src/transport/handlers.js';
import { PeerClients } from '../../src/transport/peer-client.js';
import { SqlClient } from '../../src/api/grpc/index.js';

let dir = '';
const file = (name: string): string => join(dir, name);

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A CA, a server certificate naming localhost and 127.0.0.1 (as the guide's), a client one. */
function makeCertificates(): void {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=chronos-test-ca');
  writeFileSync(file('server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  for (const [name, cn] of [['server', 'localhost'], ['client', 'client1']] as const) {
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key',
      '-CAcreateserial', '-out', `${name}.crt`, '-days', '2',
      ...(name === 'server' ? ['-extfile', 'server.ext'] : []));
  }
}

const result: StatementResult = { kind: 'message', message: 'Table sensors created', rowsAffected: 0 };
const contexts: CallContext[] = [];
const servers: GrpcServer[] = [];

async function startServer(tls: TlsMaterial): Promise<number> {
  const server = nodeGrpcServer({
    host: '127.0.0.1',
    port: 0,
    tls,
    raft: () => Promise.resolve(null),
    sql: (_sql, context) => {
      contexts.push(context);
      return Promise.resolve(result);
    },
  });
  servers.push(server);
  return (await server.start()).port;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'chronos-tls-'));
  makeCertificates();
});

afterAll(async () => {
  for (const server of servers) await server.stop(100);
  rmSync(dir, { recursive: true, force: true });
});

function material(env: Record<string, string>): TlsMaterial {
  return loadTlsMaterial(tlsConfigFromEnv(env));
}

describe('TLS', () => {
  it('serves TLS: a client trusting the CA succeeds, a plaintext client is refused', async () => {
    const port = await startServer(material({ CHRONOS_TLS_CERT: file('server.crt'), CHRONOS_TLS_KEY: file('server.key') }));
    const trusted = new SqlClient({ address: `127.0.0.1:${port}`, tls: material({ CHRONOS_TLS_CA_CERT: file('ca.crt') }), token: null, deadlineMs: 3000 });
    expect(await trusted.execute('CREATE TABLE sensors (id INT)')).toEqual(result);
    expect(contexts.at(-1)?.user).toBeNull();
    trusted.close();
    const plain = new SqlClient({ address: `127.0.0.1:${port}`, tls: null, token: null, deadlineMs: 3000 });
    await expect(plain.execute('SELECT 1')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    plain.close();
  });

  it('verifies the server name against CHRONOS_TLS_DOMAIN', async () => {
    const port = await startServer(material({ CHRONOS_TLS_CERT: file('server.crt'), CHRONOS_TLS_KEY: file('server.key') }));
    const wrong = new SqlClient({
      address: `127.0.0.1:${port}`,
      tls: material({ CHRONOS_TLS_CA_CERT: file('ca.crt'), CHRONOS_TLS_DOMAIN: 'chronos.example.com' }),
      token: null,
      deadlineMs: 3000,
    });
    await expect(wrong.execute('SELECT 1')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    wrong.close();
  });

  it('requires a client certificate under mTLS and reports its CN as the user', async () => {
    const port = await startServer(
      material({ CHRONOS_TLS_CERT: file('server.crt'), CHRONOS_TLS_KEY: file('server.key'), CHRONOS_TLS_CA_CERT: file('ca.crt') }),
    );
    const noCert = new SqlClient({ address: `127.0.0.1:${port}`, tls: material({ CHRONOS_TLS_CA_CERT: file('ca.crt') }), token: null, deadlineMs: 3000 });
    await expect(noCert.execute('SELECT 1')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    noCert.close();
    const withCert = new SqlClient({
      address: `127.0.0.1:${port}`,
      tls: material({ CHRONOS_TLS_CA_CERT: file('ca.crt'), CHRONOS_TLS_CERT: file('client.crt'), CHRONOS_TLS_KEY: file('client.key') }),
      token: null,
      deadlineMs: 3000,
    });
    expect(await withCert.execute('SELECT 1')).toEqual(result);
    expect(contexts.at(-1)?.user).toBe('client1');
    withCert.close();
    // A peer presents the node's own certificate (it names localhost and 127.0.0.1).
    const peers = new PeerClients(new Map([['node2', `127.0.0.1:${port}`]]), {
      tls: material({ CHRONOS_TLS_CA_CERT: file('ca.crt'), CHRONOS_TLS_CERT: file('server.crt'), CHRONOS_TLS_KEY: file('server.key') }),
    });
    expect(await peers.call({ type: 'timeoutNow', from: 'node1', to: 'node2', term: 1 })).toEqual({ ok: true, reply: null });
    peers.close();
  });
});

describe('TLS configuration errors', () => {
  it('names the variable and the path of a missing file in one line', () => {
    const missing = file('nope.crt');
    expect(() => material({ CHRONOS_TLS_CERT: missing, CHRONOS_TLS_KEY: file('server.key') })).toThrow(
      `CHRONOS_TLS_CERT=${missing}: no such file`,
    );
  });

  it('refuses an invalid PEM, a key that does not match, and half a pair', () => {
    writeFileSync(file('junk.pem'), 'not a certificate\n');
    expect(() => material({ CHRONOS_TLS_CA_CERT: file('junk.pem') })).toThrow(
      `CHRONOS_TLS_CA_CERT=${file('junk.pem')}: not a valid PEM certificate`,
    );
    expect(() => material({ CHRONOS_TLS_CERT: file('server.crt'), CHRONOS_TLS_KEY: file('junk.pem') })).toThrow(
      /CHRONOS_TLS_KEY=.*junk\.pem: not a valid PEM private key/,
    );
    expect(() => material({ CHRONOS_TLS_CERT: file('server.crt'), CHRONOS_TLS_KEY: file('client.key') })).toThrow(
      /CHRONOS_TLS_KEY=.*client\.key: does not match the certificate/,
    );
    expect(() => material({ CHRONOS_TLS_CERT: file('server.crt') })).toThrow(
      /CHRONOS_TLS_CERT=.* is set but CHRONOS_TLS_KEY is not/,
    );
    let caught: unknown = null;
    try {
      material({ CHRONOS_TLS_CERT: file('server.crt') });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'CONFIG_ERROR', details: { variable: 'CHRONOS_TLS_KEY' } });
  });
});
