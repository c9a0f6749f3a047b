import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ServerTarget } from '../../src/cli/server-target.js';
import { ChronosError, isChronosError } from '../../src/lib/errors.js';
import type { StatementResult } from '../../src/sql/result.js';
import type { GrpcServer } from '../../src/transport/index.js';
import { nodeGrpcServer } from '../../src/cli/grpc-endpoint.js';
import { runCli, startNode, stopNode } from '../helpers/node-process.js';
import type { NodeProcess } from '../helpers/node-process.js';
import { freeNodePort } from '../helpers/ports.js';

const INSERTED: StatementResult = { kind: 'message', message: 'Inserted into t', rowsAffected: 1 };
const servers: GrpcServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop(0);
});

/** A real gRPC server answering the first `failures` calls with `error` (each after `delayMs`), then success. */
async function serverFailing(error: ChronosError, failures: number, delayMs = 0): Promise<{ address: string; calls: () => number }> {
  let calls = 0;
  const server = nodeGrpcServer({
    host: '127.0.0.1', port: 0, tls: null, raft: async () => null,
    sql: async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (calls <= failures) throw error;
      return INSERTED;
    },
  });
  servers.push(server);
  const { port } = await server.start();
  return { address: `127.0.0.1:${port}`, calls: () => calls };
}

describe('chronos client retries a write only when it was not applied', () => {
  it('retries NOT_APPLIED (the server refused before proposing) and succeeds', async () => {
    const server = await serverFailing(new ChronosError('NOT_APPLIED', 'not applied, safe to retry: node n1 is shutting down'), 2);
    const target = new ServerTarget(server.address, {});
    try {
      expect(await target.execute('INSERT INTO t VALUES (1)')).toEqual(INSERTED);
      expect(server.calls()).toBe(3);
    } finally {
      await target.close();
    }
  });

  it('starts no retry later than 4 s after the first attempt, however long each attempt took', async () => {
    // A node without a quorum answers NOT_APPLIED after waiting for a leader (5 s; 1.5 s here):
    // six attempts made a client wait 34 s before it said so.
    const server = await serverFailing(new ChronosError('NOT_APPLIED', 'not applied, safe to retry: no leader elected'), 100, 1_500);
    const target = new ServerTarget(server.address, {});
    const started = Date.now();
    try {
      await expect(target.execute('INSERT INTO t VALUES (1)')).rejects.toMatchObject({ code: 'NOT_APPLIED' });
      expect(server.calls()).toBe(3);
      expect(Date.now() - started).toBeLessThan(6_500);
    } finally {
      await target.close();
    }
  });

  it('does not retry OUTCOME_UNKNOWN and says the write may be applied', async () => {
    const server = await serverFailing(
      new ChronosError('OUTCOME_UNKNOWN', 'outcome unknown, the write may or may not have been applied (check before retrying): timeout'),
      1,
    );
    const target = new ServerTarget(server.address, {});
    try {
      const failure = await target.execute('INSERT INTO t VALUES (1)').then(() => null, (error: unknown) => error);
      expect(isChronosError(failure, 'OUTCOME_UNKNOWN')).toBe(true);
      expect(String((failure as Error).message)).toMatch(/may or may not have been applied/);
      expect(server.calls()).toBe(1);
    } finally {
      await target.close();
    }
  });
});

describe('chronos client keeps retrying what may pass (a real node, the real CLI)', () => {
  let dir = '';
  let node: NodeProcess | null = null;
  afterEach(async () => {
    if (node !== null) await stopNode(node);
    node = null;
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('a client started before its node listens gets its answer once the node is up', async () => {
    dir = await mkdtemp(join(tmpdir(), 'chronos-client-waits-'));
    const port = await freeNodePort();
    // The port first drops the client's connection, then refuses it until the node listens:
    // what a client sees while a node restarts. The node starts once the client has tried.
    const gate = createServer((socket) => socket.destroy());
    const tried = new Promise<void>((resolve) => gate.once('connection', () => resolve()));
    await new Promise<void>((resolve) => gate.listen(port, '127.0.0.1', resolve));
    const client = runCli(['client', '--leader', `127.0.0.1:${port}`, '-e', 'SELECT 1']);
    await tried;
    await new Promise<void>((resolve) => gate.close(() => resolve()));
    node = startNode({ id: 'n1', dataDir: dir, port, peers: new Map() });
    const run = await client;
    expect(run.stderr).toBe('');
    expect([run.code, run.stdout]).toEqual([0, '+---+\n| 1 |\n+---+\n| 1 |\n+---+\n']);
  }, 60_000);
});
