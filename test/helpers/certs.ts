import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Paths of a CA and certificates signed by it, made with the openssl CLI as the guide does. */
export interface TestCertificates {
  readonly caCert: string;
  readonly caKey: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** A CA nobody trusts, with a client certificate it signed. */
  readonly rogueClientCert: string;
  readonly rogueClientKey: string;
}

async function openssl(args: readonly string[]): Promise<void> {
  await run('openssl', args, { timeout: 30_000 });
}

async function makeCa(dir: string, name: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
    '-days', '2', '-subj', `/CN=${name}`]);
  return { cert, key };
}

async function makeSigned(
  dir: string, name: string, ca: { cert: string; key: string }, subject: string, san: string | null,
): Promise<{ cert: string; key: string }> {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.crt`);
  await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', subject]);
  const args = ['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial',
    '-out', cert, '-days', '2'];
  if (san !== null) {
    const ext = join(dir, `${name}.ext`);
    await writeFile(ext, `subjectAltName=${san}\n`);
    args.push('-extfile', ext);
  }
  await openssl(args);
  return { cert, key };
}

/** Generates a CA, a server certificate naming localhost and 127.0.0.1, and client certificates. */
export async function makeTestCertificates(dir: string): Promise<TestCertificates> {
  const ca = await makeCa(dir, 'ca');
  const server = await makeSigned(dir, 'server', ca, '/CN=localhost', 'DNS:localhost,IP:127.0.0.1');
  const client = await makeSigned(dir, 'client', ca, '/CN=operator', null);
  const rogueCa = await makeCa(dir, 'rogue-ca');
  const rogue = await makeSigned(dir, 'rogue-client', rogueCa, '/CN=intruder', null);
  return {
    caCert: ca.cert, caKey: ca.key, serverCert: server.cert, serverKey: server.key,
    clientCert: client.cert, clientKey: client.key,
    rogueClientCert: rogue.cert, rogueClientKey: rogue.key,
  };
}
