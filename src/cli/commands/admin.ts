import type { AdminAnswer, AdminEnv } from '../admin-http-client.js';
import type { AddNodeOptions, RemoveNodeOptions } from '../options.js';
import type { CliIo } from '../sql-target.js';
import type { HostPort } from '../validate.js';
import { ChronosError, oneLine } from '../../lib/index.js';
import { adminRequest } from '../admin-http-client.js';
import { formatHostPort } from '../validate.js';
import { ADMIN_TOKEN_VARIABLES, withTokenHint } from '../token-hint.js';

import { ADD_NODE_PATH, REMOVE_NODE_PATH } from '../../api/index.js';

/** `chronos admin status`: prints the node's /health body on one line, as sent. */
export async function runAdminStatus(http: HostPort, io: CliIo, env: AdminEnv): Promise<number> {
  const answer = await adminRequest(http, { method: 'GET', path: '/health' }, env);
  return printAnswer(answer, io);
}

/**
 * `chronos admin add-node ID=HOST:PORT`: asks the cluster to add a member through its log.
 * Adding a member again changes nothing (a retry is safe); stderr then says so.
 */
export async function runAddNode(
  options: AddNodeOptions, io: CliIo, env: AdminEnv,
): Promise<number> {
  const before = await membersOf(options.http, env);
  const json = { id: options.id, address: formatHostPort(options.address) };
  const answer = await adminRequest(
    options.http, { method: 'POST', path: ADD_NODE_PATH, json }, env);
  const code = printAnswer(answer, io);
  if (before?.has(options.id) === true) io.stderr.write(`note: ${options.id} was already a member; nothing changed\n`);
  return code;
}

/** `chronos admin remove-node ID`: asks the cluster to remove a member through its log (a non-member: nothing changes). */
export async function runRemoveNode(
  options: RemoveNodeOptions, io: CliIo, env: AdminEnv,
): Promise<number> {
  const before = await membersOf(options.http, env);
  const json = { id: options.id };
  const answer = await adminRequest(
    options.http, { method: 'POST', path: REMOVE_NODE_PATH, json }, env);
  const code = printAnswer(answer, io);
  if (before !== null && !before.has(options.id)) io.stderr.write(`note: ${options.id} was not a member; nothing changed\n`);
  return code;
}

/** The voters and learners the node's /health lists before a change; null when it does not say. */
async function membersOf(http: HostPort, env: AdminEnv): Promise<ReadonlySet<string> | null> {
  const answer = await adminRequest(http, { method: 'GET', path: '/health' }, env).catch(() => null);
  if (answer?.status !== 200) return null;
  try {
    const { voters, learners } = JSON.parse(answer.body) as { voters?: unknown; learners?: unknown };
    const ids = [voters, learners].flatMap((list) => (Array.isArray(list) ? list : []));
    return new Set(ids.filter((id): id is string => typeof id === 'string'));
  } catch {
    // Not the JSON a node answers: say nothing about what changed.
    return null;
  }
}

/** A 2xx body goes to stdout on one line; anything else is an error naming URL and status. */
function printAnswer(answer: AdminAnswer, io: CliIo): number {
  const body = bodyOnOneLine(answer.body);
  if (answer.status >= 200 && answer.status < 300) {
    io.stdout.write(body + '\n');
    return 0;
  }
  let detail = body === '' ? '' : `: ${errorField(body)}`;
  if (answer.status === 404) detail += ' (this node does not offer that endpoint)';
  const code = answer.status === 401 ? 'UNAUTHENTICATED'
    : answer.status === 403 ? 'PERMISSION_DENIED' : 'UNAVAILABLE';
  const message = `${answer.url} answered HTTP ${answer.status}${detail}`;
  throw new ChronosError(code, withTokenHint(message, ADMIN_TOKEN_VARIABLES));
}

/** The body without line breaks; JSON spread over lines is re-serialised compactly. */
function bodyOnOneLine(body: string): string {
  const trimmed = body.trim();
  if (!trimmed.includes('\n')) return trimmed;
  try {
    return JSON.stringify(JSON.parse(trimmed) as unknown);
  } catch {
    return oneLine(trimmed);
  }
}

/** The `error` (or `message`) field of a JSON error body, else the body itself. */
function errorField(body: string): string {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (typeof parsed === 'object' && parsed !== null) {
      const record = parsed as Record<string, unknown>;
      const text = record['error'] ?? record['message'];
      if (typeof text === 'string') return text;
    }
  } catch {
    // not JSON: show it as it came
  }
  return body;
}
