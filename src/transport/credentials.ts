import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ChannelCredentials, ServerCredentials } from '@grpc/grpc-js';
import type { ChannelOptions } from '@grpc/grpc-js';
import { ChronosError, errorMessage } from '../lib/index.js';

/** Where a node's or client's TLS files are (CHRONOS_TLS_*); null = not set. */
export interface TlsConfig {
  readonly certPath: string | null;
  readonly keyPath: string | null;
  readonly caPath: string | null;
  /** The name a client verifies the server's certificate against (CHRONOS_TLS_DOMAIN). */
  readonly domain: string | null;
}

/** TLS files read and checked once: PEM bytes ready for gRPC and for https. */
export interface TlsMaterial {
  readonly cert: Buffer | null;
  readonly key: Buffer | null;
  readonly ca: Buffer | null;
  readonly domain: string | null;
}

/** The domain clients verify when CHRONOS_TLS_DOMAIN is not set (the guide's certs name it). */
export const DEFAULT_TLS_DOMAIN = 'localhost';

/** Reads CHRONOS_TLS_CERT/KEY/CA_CERT/DOMAIN; empty values count as unset. */
export function tlsConfigFromEnv(env: NodeJS.ProcessEnv): TlsConfig {
  const read = (name: string): string | null => {
    const value = env[name];
    return value === undefined || value === '' ? null : value;
  };
  return {
    certPath: read('CHRONOS_TLS_CERT'),
    keyPath: read('CHRONOS_TLS_KEY'),
    caPath: read('CHRONOS_TLS_CA_CERT'),
    domain: read('CHRONOS_TLS_DOMAIN') ?? DEFAULT_TLS_DOMAIN,
  };
}

function configError(variable: string, path: string, problem: string, cause?: unknown): never {
  throw new ChronosError('CONFIG_ERROR', `${variable}=${path}: ${problem}`, {
    details: { variable, file: path },
    ...(cause === undefined ? {} : { cause }),
  });
}

function readPem(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? 'no such file' : `cannot read (${errorMessage(error)})`;
    return configError(variable, path, problem, error);
  }
}

function checkCertificate(variable: string, path: string, pem: Buffer): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (error) {
    return configError(variable, path, 'not a valid PEM certificate', error);
  }
}

function checkKey(variable: string, path: string, pem: Buffer): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (error) {
    return configError(variable, path, 'not a valid PEM private key', error);
  }
}

/**
 * Reads and validates the configured files once. A certificate needs its key (and the reverse);
 * each problem is one CONFIG_ERROR naming the variable and the path.
 */
export function loadTlsMaterial(config: TlsConfig): TlsMaterial {
  const { certPath, keyPath, caPath } = config;
  if ((certPath === null) !== (keyPath === null)) {
    const missing = certPath === null ? 'CHRONOS_TLS_CERT' : 'CHRONOS_TLS_KEY';
    const present =
      certPath === null ? `CHRONOS_TLS_KEY=${keyPath}` : `CHRONOS_TLS_CERT=${certPath}`;
    throw new ChronosError('CONFIG_ERROR', `${present} is set but ${missing} is not`, {
      details: { variable: missing },
    });
  }
  let cert: Buffer | null = null;
  let key: Buffer | null = null;
  if (certPath !== null && keyPath !== null) {
    cert = readPem('CHRONOS_TLS_CERT', certPath);
    key = readPem('CHRONOS_TLS_KEY', keyPath);
    const certificate = checkCertificate('CHRONOS_TLS_CERT', certPath, cert);
    const privateKey = checkKey('CHRONOS_TLS_KEY', keyPath, key);
    if (!certificate.checkPrivateKey(privateKey)) {
      configError('CHRONOS_TLS_KEY', keyPath, `does not match the certificate ${certPath}`);
    }
  }
  let ca: Buffer | null = null;
  if (caPath !== null) {
    ca = readPem('CHRONOS_TLS_CA_CERT', caPath);
    checkCertificate('CHRONOS_TLS_CA_CERT', caPath, ca);
  }
  return { cert, key, ca, domain: config.domain };
}

/** True when the material makes a server speak TLS (a certificate and its key). */
export function servesTls(material: TlsMaterial | null): boolean {
  return material !== null && material.cert !== null && material.key !== null;
}

/** Server credentials: plaintext, TLS with cert+key, mTLS (client certs required) with a CA. */
export function serverCredentials(material: TlsMaterial | null): ServerCredentials {
  if (material === null || material.cert === null || material.key === null) {
    if (material !== null && material.ca !== null) {
      throw new ChronosError(
        'CONFIG_ERROR',
        'CHRONOS_TLS_CA_CERT is set but CHRONOS_TLS_CERT/CHRONOS_TLS_KEY are not: ' +
          'a TLS server needs its own certificate and key',
        { details: { variable: 'CHRONOS_TLS_CERT' } },
      );
    }
    return ServerCredentials.createInsecure();
  }
  const pair = [{ private_key: material.key, cert_chain: material.cert }];
  return ServerCredentials.createSsl(material.ca, pair, material.ca !== null);
}

/**
 * Channel credentials for a client: plaintext without material; else TLS trusting the CA
 * (system roots without one) and presenting our certificate when we have one (mTLS).
 */
export function channelCredentials(material: TlsMaterial | null): ChannelCredentials {
  if (material === null) return ChannelCredentials.createInsecure();
  return ChannelCredentials.createSsl(material.ca, material.key, material.cert);
}

/**
 * grpc-js keeps channelz statistics and traces for every call unless told not to; nothing here
 * serves channelz, so clients and servers turn it off and save that work per call.
 */
export const NO_CHANNELZ = { 'grpc.enable_channelz': 0 } as const;

/**
 * How soon a channel whose server went away tries again. grpc-js starts at 1 s and doubles to
 * 120 s, and a call made meanwhile fails at once with the last connect error: an edge whose
 * cloud was down two minutes kept reporting "connection refused" for 40 s after it was back.
 * Trying every second at most costs a refused connect per second.
 */
const RECONNECT_BACKOFF = { 'grpc.initial_reconnect_backoff_ms': 250, 'grpc.max_reconnect_backoff_ms': 1_000 } as const;

/** Channel options: no channelz, reconnects within a second; with TLS, verify the server against `domain`, not the host. */
export function channelOptions(material: TlsMaterial | null): ChannelOptions {
  if (material === null || material.domain === null) return { ...NO_CHANNELZ, ...RECONNECT_BACKOFF };
  return {
    ...NO_CHANNELZ,
    ...RECONNECT_BACKOFF,
    'grpc.ssl_target_name_override': material.domain,
    'grpc.default_authority': material.domain,
  };
}
