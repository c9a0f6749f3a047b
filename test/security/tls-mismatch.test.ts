import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerTarget } from '../../src/cli/server-target.js';
import { closedUnanswered, tlsMismatch, tlsMismatchReason } from '../../src/transport/tls-mismatch.js';
import { makeTestCertificates } from '../helpers/certs.js';
import type { TestCertificates } from '../helpers/certs.js';
import { freeNodePort } from '../helpers/ports.js';
import { health, runCli, startNode, stopNode, waitFor } from '../helpers/node-process.js';
import type { NodeProcess } from '../helpers/node-process.js';

const PLAINTEXT_TO_TLS = /the node closed the connection without answering, as a TLS node does to a plaintext client: likely a TLS mismatch; set CHRONOS_TLS_CA_CERT to the CA that signed the node's certificate \(and CHRONOS_TLS_CERT\/CHRONOS_TLS_KEY under mTLS\)$/;
const TLS_TO_PLAINTEXT = /the node answered in plaintext to TLS \(CHRONOS_TLS_CA_CERT is set\): a TLS mismatch; unset CHRONOS_TLS_CA_CERT, or start the node with CHRONOS_TLS_CERT and CHRONOS_TLS_KEY$/;
const WRONG_CA = /the node's certificate is not signed by the CA in CHRONOS_TLS_CA_CERT: a TLS mismatch; set CHRONOS_TLS_CA_CERT to the CA that signed the node's certificate$/;
const NO_CLIENT_CERT = /the node requires a client certificate \(mTLS\): set CHRONOS_TLS_CERT and CHRONOS_TLS_KEY to a certificate signed by the node's CA$/;
const UNTRUSTED_CLIENT_CERT = /the node closed the connection without answering, as an mTLS node does to a client certificate it does not trust: likely a TLS mismatch; set CHRONOS_TLS_CERT and CHRONOS_TLS_KEY to a certificate signed by the node's CA$/;
/**
 * `chronos client` retries what may pass for 100+200+400+800+1600 ms; a mismatch, which no
 * retry fixes, must end before that. A run includes starting Node, which took up to 2.2 s on
 * a busy two-core machine, so it is held under the backoff alone; the client's own time
 * (`ServerTarget`, in this process) is held well under it.
 */
const AT_ONCE_MS_MAX = 3_000;
const CLIENT_AT_ONCE_MS_MAX = 1_000;
const RETRY_WINDOW_MS_MIN = 3_000;

/** The client's own time to fail `SELECT 1` against `port` (no process start counted). */
async function clientFailureMs(port: number, env: NodeJS.ProcessEnv): Promise<{ elapsedMs: number; message: string }> {
  const target = new ServerTarget(`127.0.0.1:${port}`, env);
  const startedMs = Date.now();
  try {
    const failure = await target.execute('SELECT 1').then(() => null, (error: unknown) => error);
    return { elapsedMs: Date.now() - startedMs, message: failure instanceof Error ? failure.message : 'no error' };
  } finally {
    await target.close();
  }
}

/** Runs the CLI and times it: how long the user waits for the answer. */
async function timedCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{
  code: number; stderr: string; elapsedMs: number;
}> {
  const startedMs = Date.now();
  const run = await runCli(args, env);
  return { code: run.code, stderr: run.stderr.trim(), elapsedMs: Date.now() - startedMs };
}

describe('a TLS mismatch says so, and what to set (real nodes, the real CLI)', () => {
  let dir = '';
  let certs: TestCertificates;
  let tlsNode: NodeProcess;
  let plainNode: NodeProcess;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chronos-tls-mismatch-'));
    certs = await makeTestCertificates(dir);
    const tlsPort = await freeNodePort();
    const env = { CHRONOS_TLS_CERT: certs.serverCert, CHRONOS_TLS_KEY: certs.serverKey };
    tlsNode = startNode({ id: 'n1', dataDir: join(dir, 'tls'), port: tlsPort, peers: new Map(), env });
    plainNode = startNode({
      id: 'n1', dataDir: join(dir, 'plain'), port: await freeNodePort(new Set([tlsPort])), peers: new Map(),
    });
    await waitFor('the plaintext node', 20_000, async () => ((await health(plainNode)) === null ? null : true));
    // The banner says the node serves TLS on both ports.
    await waitFor('the TLS node', 20_000, () =>
      (/: gRPC \(TLS\) 127\.0\.0\.1:\d+, admin HTTPS \(TLS\) 127\.0\.0\.1:\d+\n/.test(tlsNode.output()) ? true : null));
    expect(plainNode.output()).toMatch(/: gRPC 127\.0\.0\.1:\d+, admin HTTP 127\.0\.0\.1:\d+\n/);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([stopNode(tlsNode), stopNode(plainNode)]);
    await rm(dir, { recursive: true, force: true });
  });

  // Before, chronos client: "cannot reach ADDR: No connection established. Last error: ..."
  // with "Failed to connect (...)", "...:SSL routines:ssl3_get_record:wrong version number:..."
  // and "Error: unable to verify the first certificate."; chronos admin status: "cannot reach
  // URL: ECONNRESET", "... EPROTO" and "... UNABLE_TO_VERIFY_LEAF_SIGNATURE".
  const commands: ReadonlyArray<readonly [string, (node: NodeProcess) => string[]]> = [
    ['chronos client', (node) => ['client', '--leader', `127.0.0.1:${node.port}`, '-e', 'SELECT 1']],
    ['chronos admin status', (node) => ['admin', 'status', '--http', `127.0.0.1:${node.adminPort}`]],
  ];
  it.each(commands)('%s: plaintext against TLS, TLS against plaintext, a wrong CA', async (_, args) => {
    const plaintext = await timedCli(args(tlsNode));
    expect(plaintext.stderr).toMatch(PLAINTEXT_TO_TLS);
    const tls = await timedCli(args(plainNode), { CHRONOS_TLS_CA_CERT: certs.caCert });
    expect(tls.stderr).toMatch(TLS_TO_PLAINTEXT);
    const wrongCa = await timedCli(args(tlsNode), { CHRONOS_TLS_CA_CERT: join(dir, 'rogue-ca.crt') });
    expect(wrongCa.stderr).toMatch(WRONG_CA);
    // Retrying cannot fix any of them, so none waits out the client's backoff (it did, ~3.5 s).
    for (const run of [plaintext, tls, wrongCa]) {
      expect([run.code, run.elapsedMs < AT_ONCE_MS_MAX], `${run.elapsedMs} ms: ${run.stderr}`).toEqual([1, true]);
    }
  }, 60_000);
});

describe('tlsMismatchReason, on the texts grpc-js 1.14 and Node 20 gave in real runs', () => {
  it('reads each symptom from the side it applies to', () => {
    const required = "No connection established. Last error: 803CA548E27F0000:error:0A00045C:SSL routines:" +
      'ssl3_read_bytes:tlsv13 alert certificate required:../deps/openssl/openssl/ssl/record/' +
      'rec_layer_s3.c:1601:SSL alert number 116 (2026-12-05T18:56:44.314Z).';
    expect(tlsMismatchReason(required, true)).toMatch(/^the node requires a client certificate \(mTLS\)/);
    expect(tlsMismatchReason('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', true)).toMatch(/mTLS/);
    const altName = "No connection established. Last error: Error [ERR_TLS_CERT_ALTNAME_INVALID]: Hostname/IP " +
      "does not match certificate's altnames: Host: other. is not in the cert's altnames: DNS:localhost.";
    expect(tlsMismatchReason(altName, true)).toMatch(/set CHRONOS_TLS_DOMAIN/);
    // An mTLS node refusing a client certificate from another CA: only a closed connection.
    expect(tlsMismatchReason('ECONNRESET socket hang up', true)).toMatch(/set CHRONOS_TLS_CERT and CHRONOS_TLS_KEY/);
    // Not TLS: a node killed with the call in flight, a refused connection.
    expect(tlsMismatchReason('read ECONNRESET', false)).toBeNull();
    expect(tlsMismatchReason('No connection established. Last error: Error: connect ECONNREFUSED ' +
      '127.0.0.1:18431. Resolution note: ', false)).toBeNull();
  });

  it('is certain only when the text proves it; a silent close is a case for the probe', () => {
    const silence = 'No connection established. Last error: Failed to connect (2026-12-05T21:34:39.170Z). ' +
      'Resolution note: ';
    expect(tlsMismatch(silence, false)?.certain).toBe(false);
    expect(closedUnanswered(silence)).toBe(true);
    const reset = 'No connection established. Last error: read ECONNRESET (2026-12-05T21:34:40.925Z). ' +
      'Resolution note: ';
    expect(closedUnanswered(reset)).toBe(true);
    const plaintext = 'No connection established. Last error: Error: 802CE5D4467F0000:error:0A00010B:SSL ' +
      'routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:350:';
    expect(tlsMismatch(plaintext, true)?.certain).toBe(true);
    expect(closedUnanswered(plaintext)).toBe(false);
    // A node killed with the call in flight: a connection existed, so it is no silent close.
    expect(closedUnanswered('read ECONNRESET')).toBe(false);
  });
});

describe('chronos client reports a TLS mismatch at once, and still retries a silence that may pass', () => {
  let dir = '';
  let certs: TestCertificates;
  let mtlsNode: NodeProcess;
  /** Accepts each connection and closes it unanswered, as a proxy with no node behind it does. */
  let silent: Server;
  let silentPort = 0;
  const client = (port: number): string[] => ['client', '--leader', `127.0.0.1:${port}`, '-e', 'SELECT 1'];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chronos-tls-at-once-'));
    certs = await makeTestCertificates(dir);
    const env = {
      CHRONOS_TLS_CERT: certs.serverCert, CHRONOS_TLS_KEY: certs.serverKey, CHRONOS_TLS_CA_CERT: certs.caCert,
    };
    mtlsNode = startNode({ id: 'n1', dataDir: join(dir, 'mtls'), port: await freeNodePort(), peers: new Map(), env });
    // Reading (resume) lets each socket see the client's end and close, so close() returns.
    silent = createServer((socket) => socket.resume().end());
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    silentPort = typeof address === 'object' && address !== null ? address.port : 0;
    await waitFor('the mTLS node', 20_000, () =>
      (/: gRPC \(mTLS\) 127\.0\.0\.1:\d+, admin HTTPS \(mTLS\) 127\.0\.0\.1:\d+\n/.test(mtlsNode.output()) ? true : null));
  }, 60_000);
  afterAll(async () => {
    await stopNode(mtlsNode);
    await new Promise((resolve) => silent.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('plaintext against mTLS, no client certificate, an untrusted one: exit 1 at once', async () => {
    const tlsEnv = { CHRONOS_TLS_CA_CERT: certs.caCert };
    const rogue = { ...tlsEnv, CHRONOS_TLS_CERT: certs.rogueClientCert, CHRONOS_TLS_KEY: certs.rogueClientKey };
    const cases: ReadonlyArray<readonly [NodeJS.ProcessEnv, RegExp]> = [
      [{}, PLAINTEXT_TO_TLS], [tlsEnv, NO_CLIENT_CERT], [rogue, UNTRUSTED_CLIENT_CERT],
    ];
    for (const [env, expected] of cases) {
      const run = await timedCli(client(mtlsNode.port), env);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(expected);
      expect(run.stderr.split('\n')).toHaveLength(1);
      expect(run.elapsedMs, run.stderr).toBeLessThan(AT_ONCE_MS_MAX);
      const own = await clientFailureMs(mtlsNode.port, env);
      expect(own.message).toMatch(expected);
      expect(own.elapsedMs, own.message).toBeLessThan(CLIENT_AT_ONCE_MS_MAX);
    }
    // A write too: it never left, and no retry would send it.
    const write = await timedCli(['client', '--leader', `127.0.0.1:${mtlsNode.port}`, '-e', 'CREATE TABLE t (a INT)'], rogue);
    expect([write.code, write.elapsedMs < AT_ONCE_MS_MAX]).toEqual([1, true]);
    expect(write.stderr).toMatch(UNTRUSTED_CLIENT_CERT);
  }, 60_000);

  it('a port that closes every connection unanswered, speaking no TLS, is retried as before', async () => {
    // grpc-js says "Failed to connect" here just as for a TLS node; the probe finds no TLS.
    const own = await clientFailureMs(silentPort, {});
    expect(own.message).toMatch(PLAINTEXT_TO_TLS);
    expect(own.elapsedMs).toBeGreaterThan(RETRY_WINDOW_MS_MIN);
  }, 60_000);
});
