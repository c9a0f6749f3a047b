import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { HostPort } from './validate.js';
import type { AdminEnv } from './admin-http-client.js';
import { ChronosError, errorMessage } from '../lib/index.js';
import { prepareAdminRequest, unreachable } from './admin-http-client.js';

/** A download that sends nothing for this long counts as failed. */
const IDLE_TIMEOUT_MS = 30_000;
/** Largest error body kept for the message. */
const ERROR_BODY_BYTES_MAX = 4096;

/**
 * Streams a node's `GET path` into `file`: written beside it as `file.partial`, flushed, and
 * renamed only once the whole answer arrived, so a failed download never leaves a file that
 * looks like a backup. Throws with the node's own error text on an answer other than 200.
 */
export async function adminDownload(address: HostPort, path: string, env: AdminEnv, file: string): Promise<void> {
  const { url, options, send } = prepareAdminRequest(address, { method: 'GET', path }, env);
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = send({ ...options, headers: { ...options.headers, accept: '*/*' } }, resolve);
    req.setTimeout(IDLE_TIMEOUT_MS, () => req.destroy(new Error(`nothing sent for ${IDLE_TIMEOUT_MS / 1000} s`)));
    req.on('error', (error) => reject(unreachable(url, error)));
    req.end();
  });
  if (response.statusCode !== 200) {
    const text = await errorText(response);
    const refused = response.statusCode === 401 || response.statusCode === 403;
    const hint = refused ? ' (set CHRONOS_AUTH_TOKEN_ADMIN to the node\'s admin token)' : '';
    throw new ChronosError(refused ? 'PERMISSION_DENIED' : 'UNAVAILABLE',
      `${url} answered ${response.statusCode ?? 0}: ${text}${hint}`);
  }
  const partial = `${file}.partial`;
  try {
    await pipeline(response, createWriteStream(partial, { flush: true }));
    if (!response.complete) throw new ChronosError('UNAVAILABLE', `${url} ended the snapshot early`);
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    if (error instanceof ChronosError) throw error;
    // The local file failing (disk full, permissions) is not the node being out of reach.
    if (isFileError(error, partial)) {
      throw new ChronosError('IO_ERROR', `cannot write ${file}: ${errorMessage(error)}`, { cause: error });
    }
    throw unreachable(url, error);
  }
}

async function errorText(response: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of response) {
    if (text.length < ERROR_BODY_BYTES_MAX) text += String(chunk);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    const error = (parsed as { error?: unknown }).error;
    if (typeof error === 'string') return error;
  } catch {
    // Not the admin server's JSON error: show the text as it came.
  }
  return text.slice(0, ERROR_BODY_BYTES_MAX).trim();
}

/** True when `error` is Node's error about the file at `path` (it carries that path). */
function isFileError(error: unknown, path: string): boolean {
  return (error as { path?: unknown }).path === path;
}
