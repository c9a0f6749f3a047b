import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeNodePort } from '../helpers/ports.js';
import { health, runCli, startNode, stopNode, waitFor } from '../helpers/node-process.js';
import type { NodeProcess } from '../helpers/node-process.js';

const ADMIN = 'admin-secret';

describe('a refused token names the variable to set (real node, the real CLI)', () => {
  let dir = '';
  let node: NodeProcess;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chronos-token-hint-'));
    const env = { CHRONOS_AUTH_TOKEN_ADMIN: ADMIN };
    node = startNode({ id: 'n1', dataDir: dir, port: await freeNodePort(), peers: new Map(), env });
    await waitFor('the node', 20_000, async () => ((await health(node, ADMIN)) === null ? null : true));
  }, 30_000);
  afterAll(async () => {
    await stopNode(node);
    await rm(dir, { recursive: true, force: true });
  });

  it('chronos client: missing and wrong token', async () => {
    const args = ['client', '--leader', `127.0.0.1:${node.port}`, '-e', 'SELECT 1'];
    // Before: "Error: missing bearer token" and "Error: invalid bearer token".
    expect((await runCli(args)).stderr).toBe('Error: missing bearer token (set CHRONOS_AUTH_TOKEN)\n');
    expect((await runCli(args, { CHRONOS_AUTH_TOKEN: 'wrong' })).stderr)
      .toBe('Error: invalid bearer token (CHRONOS_AUTH_TOKEN holds no token this node accepts)\n');
    expect((await runCli(args, { CHRONOS_AUTH_TOKEN: ADMIN })).code).toBe(0);
  }, 30_000);

  it('chronos admin: missing token', async () => {
    const url = `http://127.0.0.1:${node.adminPort}/health`;
    // Before: "Error: URL answered HTTP 401: unauthenticated: missing bearer token".
    expect((await runCli(['admin', 'status', '--http', `127.0.0.1:${node.adminPort}`])).stderr).toBe(
      `Error: ${url} answered HTTP 401: unauthenticated: missing bearer token ` +
      '(set CHRONOS_AUTH_TOKEN or CHRONOS_AUTH_TOKEN_ADMIN)\n');
  }, 30_000);
});
