import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { RequestOptions } from 'node:https';
import type { HostPort } from './validate.js';
import { ChronosError, errorMessage } from '../lib/index.js';
import { tlsMismatchReason } from '../transport/index.js';
import { formatHostPort } from './validate.js';

/** How long an admin call may take before the node counts as unreachable. */
export const ADMIN_TIMEOUT_MS = 5_000;
/** Largest answer body read (a health or membership answer is a few hundred bytes). */
const BODY_BYTES_MAX = 1024 * 1024;

/** What a node's admin HTTP server answered. */
export interface AdminAnswer {
  readonly url: string;
  readonly status: number;
  readonly body: string;
}

/** One admin call: method, path and optional JSON body. */
export interface AdminCall {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly json?: unknown;
}

/** The environment variables the admin client reads (SPEC §7). */
export type AdminEnv = Readonly<Record<string, string | undefined>>;

/**
 * Calls a node's admin HTTP server: https when CHRONOS_TLS_CA_CERT is set (verifying the name
 * CHRONOS_TLS_DOMAIN, default `localhost`, and presenting CHRONOS_TLS_CERT/_KEY when set), with
 * `Authorization: Bearer` from CHRONOS_AUTH_TOKEN (or CHRONOS_AUTH_TOKEN_ADMIN). Throws an
 * UNAVAILABLE ChronosError naming the URL when the node cannot be reached.
 */
export async function adminRequest(
  address: HostPort, call: AdminCall, env: AdminEnv, timeoutMs = ADMIN_TIMEOUT_MS,
): Promise<AdminAnswer> {
  const { url, options, body, send } = prepareAdminRequest(address, call, env);
  return new Promise<AdminAnswer>((resolve, reject) => {
    const req = send(options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > BODY_BYTES_MAX) {
          req.destroy(new Error(`answer larger than ${BODY_BYTES_MAX} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve({
        url, status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'),
      }));
      res.on('error', (error) => reject(unreachable(url, error)));
    });
    req.setTimeout(timeoutMs, () => {
      req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`));
    });
    req.on('error', (error) => reject(unreachable(url, error)));
    req.end(body);
  });
}

/** An admin call's URL, request options (TLS and token from `env`), body and sender. */
export function prepareAdminRequest(address: HostPort, call: AdminCall, env: AdminEnv): {
  readonly url: string;
  readonly options: RequestOptions;
  readonly body: string | undefined;
  readonly send: typeof httpsRequest;
} {
  const tls = env['CHRONOS_TLS_CA_CERT'] !== undefined && env['CHRONOS_TLS_CA_CERT'] !== '';
  const url = `${tls ? 'https' : 'http'}://${formatHostPort(address)}${call.path}`;
  const body = call.json === undefined ? undefined : JSON.stringify(call.json);
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = env['CHRONOS_AUTH_TOKEN'] ?? env['CHRONOS_AUTH_TOKEN_ADMIN'];
  if (token !== undefined && token !== '') headers['authorization'] = `Bearer ${token}`;
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  const options: RequestOptions = {
    host: address.host, port: address.port, path: call.path, method: call.method, headers,
    ...(tls ? tlsOptions(env) : {}),
  };
  return { url, options, body, send: tls ? httpsRequest : httpRequest };
}

function tlsOptions(env: AdminEnv): RequestOptions {
  const options: RequestOptions = {
    ca: readPem(env, 'CHRONOS_TLS_CA_CERT'),
    servername: env['CHRONOS_TLS_DOMAIN'] ?? 'localhost',
  };
  const certPath = env['CHRONOS_TLS_CERT'];
  const keyPath = env['CHRONOS_TLS_KEY'];
  if (certPath !== undefined && certPath !== '' && keyPath !== undefined && keyPath !== '') {
    const cert = readPem(env, 'CHRONOS_TLS_CERT');
    return { ...options, cert, key: readPem(env, 'CHRONOS_TLS_KEY') };
  }
  return options;
}

function readPem(env: AdminEnv, name: string): Buffer {
  const path = env[name] ?? '';
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ChronosError('CONFIG_ERROR',
      `cannot read ${name} file '${path}': ${errorMessage(error)}`);
  }
}

/** The error for a node that could not be reached at `url`. */
export function unreachable(url: string, error: unknown): ChronosError {
  const code = (error as { code?: unknown }).code;
  let reason = typeof code === 'string' && code !== '' ? code : errorMessage(error);
  const tls = tlsMismatchReason(`${reason} ${errorMessage(error)}`, url.startsWith('https:'));
  if (tls !== null) reason = tls;
  // The HTTP parser met bytes that are not HTTP/1: most often a gRPC (HTTP/2) port.
  if (typeof code === 'string' && code.startsWith('HPE_')) {
    reason = `it does not answer HTTP (${code}; is this the gRPC port? admin HTTP is the --address port + 1000)`;
  }
  return new ChronosError('UNAVAILABLE', `cannot reach ${url}: ${reason}`, { cause: error });
}
