import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_TIMEOUT_MS, ensureBuilt, runChronos } from './binary.js';
import { freeNodePort } from '../helpers/ports.js';
import { startNode, stopNode, waitFor } from '../helpers/node-process.js';
import { SqlClient } from '../../src/api/grpc/index.js';

let dir = '';
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'chronos-node-env-'));
}, BUILD_TIMEOUT_MS);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `chronos node` with `env` added; a node that starts is killed after 20 s and fails the test. */
async function startWith(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  const port = await freeNodePort();
  const data = mkdtempSync(join(dir, 'data-'));
  const run = await runChronos(['node', '-i', 'n1', '-d', data, '-a', `127.0.0.1:${port}`],
    { env, timeoutMs: 20_000 });
  return { code: run.code, stderr: run.stderr };
}

/** What a node started with `env` printed up to serving (it is stopped before this returns). */
async function outputOnceServing(name: string, env: NodeJS.ProcessEnv): Promise<string> {
  const port = await freeNodePort();
  const node = startNode({ id: 'n1', dataDir: join(dir, name), port, peers: new Map(), env });
  try {
    await waitFor('the node serving', 20_000, () => (node.output().includes('admin HTTP') ? true : null));
    return node.output();
  } finally {
    await stopNode(node);
  }
}

describe('chronos node refuses bad log settings at start, in one line naming the variable', () => {
  it.each([
    ['CHRONOS_LOG_LEVEL', 'verbose', "CHRONOS_LOG_LEVEL must be one of trace, debug, info, warn, error, got 'verbose'"],
    ['CHRONOS_LOG_MAX_SIZE_MB', 'ten', "CHRONOS_LOG_MAX_SIZE_MB must be an integer >= 1, got 'ten'"],
    ['CHRONOS_LOG_MAX_SIZE_MB', '0', "CHRONOS_LOG_MAX_SIZE_MB must be an integer >= 1, got '0'"],
    ['CHRONOS_LOG_MAX_SIZE_MB', '-1', "CHRONOS_LOG_MAX_SIZE_MB must be an integer >= 1, got '-1'"],
    ['CHRONOS_LOG_MAX_FILES', 'many', "CHRONOS_LOG_MAX_FILES must be an integer >= 1, got 'many'"],
  ])('%s=%s (no CHRONOS_LOG_FILE needed)', async (name, value, message) => {
    const { code, stderr } = await startWith({ [name]: value });
    expect(code).toBe(2);
    expect(stderr).toBe(`Error: ${message} (see 'chronos node --help')\n`);
  }, 30_000);

  it.each([
    ['/proc/foo.log', 'it is under /proc, a kernel pseudo-filesystem'],
    ['/', 'it is a directory'],
  ])('CHRONOS_LOG_FILE=%s', async (path, reason) => {
    const { code, stderr } = await startWith({ CHRONOS_LOG_FILE: path, CHRONOS_LOG_LEVEL: 'warn' });
    expect(code).toBe(1);
    expect(stderr).toBe(`Error: CHRONOS_LOG_FILE: cannot use '${path}' as the log file: ${reason}\n`);
  }, 30_000);

  it('a level in capitals is taken', async () => {
    expect(await outputOnceServing('caps', { CHRONOS_LOG_LEVEL: 'WARN' })).not.toContain(' INFO ');
  }, 30_000);
});

describe('RUST_LOG', () => {
  it.each([
    ['info,chronos=debug', true],
    ['chronos=debug,info', true],
    ['chronos=info', false],
  ])('=%s: each statement logged at debug: %s', async (rustLog, logged) => {
    const port = await freeNodePort();
    const node = startNode({ id: 'n1', dataDir: join(dir, `rust-log-${rustLog}`), port, peers: new Map(),
      env: { CHRONOS_LOG_LEVEL: undefined, RUST_LOG: rustLog } });
    const client = new SqlClient({ address: `127.0.0.1:${port}`, tls: null, token: null, deadlineMs: 10_000 });
    try {
      await waitFor('the node answering', 20_000, async () => (await client.execute('SHOW TABLES').then(() => true, () => null)));
      await client.execute('CREATE TABLE t (k INT PRIMARY KEY)');
      const line = /DEBUG node: statement kind=write outcome=ok ms=[\d.]+ peer=\S+ sql="CREATE TABLE t \(k INT PRIMARY KEY\)"/;
      if (logged) await waitFor('the debug line', 5_000, () => (line.test(node.output()) ? true : null));
      else expect(node.output()).not.toContain('DEBUG');
    } finally {
      client.close();
      await stopNode(node);
    }
  }, 40_000);
});

describe('CHRONOS_CHIMP_ENABLE (Chimp compression for FLOAT columns of new blocks)', () => {
  it.each(['1', 'true', 'TRUE'])('=%s is said at start, at info; the node serves', async (value) => {
    expect(await outputOnceServing(`chimp-${value}`, { CHRONOS_CHIMP_ENABLE: value }))
      .toMatch(/INFO {2}chronos: CHRONOS_CHIMP_ENABLE: Chimp compression is on for FLOAT columns of new blocks/);
  }, 30_000);
  it.each(['0', 'false', ''])('=%s leaves it off, silently', async (value) => {
    expect(await outputOnceServing(`chimp-off-${value}`, { CHRONOS_CHIMP_ENABLE: value })).not.toContain('CHIMP');
  }, 30_000);
  it('any other value stops the node at start with one line naming the variable', async () => {
    const { code, stderr } = await startWith({ CHRONOS_CHIMP_ENABLE: 'yes' });
    expect(code).toBe(2);
    expect(stderr).toBe("Error: CHRONOS_CHIMP_ENABLE must be 1, true, 0 or false, got 'yes' (see 'chronos node --help')\n");
  }, 30_000);
});
