import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tlsMismatchReason } from '../../src/transport/tls-mismatch.js';
import { makeTestCertificates } from '../helpers/certs.js';
import type { TestCertificates } from '../helpers/certs.js';
import { freeNodePort } from '../helpers/ports.js';
import { health, runCli, startNode, stopNode, waitFor } from '../helpers/node-process.js';
import type { NodeProcess } from '../helpers/node-process.js';

const PLAINTEXT_TO_TLS = /the node closed the connection without answering, as a TLS node does to a plaintext client: likely a TLS mismatch; set CHRONOS_TLS_CA_CERT to the CA that signed the node's certificate \(and CHRONOS_TLS_CERT\/CHRONOS_TLS_KEY under mTLS\)$/;
const TLS_TO_PLAINTEXT = /the node answered in plaintext to TLS \(CHRONOS_TLS_CA_CERT is set\): a TLS mismatch; unset CHRONOS_TLS_CA_CERT, or start the node with CHRONOS_TLS_CERT and CHRONOS_TLS_KEY$/;
const WRONG_CA = /the node's certificate is not signed by the CA in CHRONOS_TLS_CA_CERT: a TLS mismatch; set CHRONOS_TLS_CA_CERT to the CA that signed the node's certificate$/;

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
    await waitFor('the TLS node', 20_000, () => (/gRPC 127\.0\.0\.1:\d+/.test(tlsNode.output()) ? true : null));
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
    const plaintext = await runCli(args(tlsNode));
    expect(plaintext.stderr.trim()).toMatch(PLAINTEXT_TO_TLS);
    const tls = await runCli(args(plainNode), { CHRONOS_TLS_CA_CERT: certs.caCert });
    expect(tls.stderr.trim()).toMatch(TLS_TO_PLAINTEXT);
    const wrongCa = await runCli(args(tlsNode), { CHRONOS_TLS_CA_CERT: join(dir, 'rogue-ca.crt') });
    expect(wrongCa.stderr.trim()).toMatch(WRONG_CA);
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
});
