import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { SqlClient } from '../../src/api/grpc/index.js';
import type { TlsMaterial } from '../../src/transport/index.js';
import { startNode, stopNode, waitFor } from '../helpers/node-process.js';
import type { NodeProcess } from '../helpers/node-process.js';
import { syncStatus } from './sync-status-client.js';

/** Real edge and cloud processes for one test file; everything is stopped after each test. */
export interface EdgeHarness {
  /** A fresh temporary dir for this test (removed after it). */
  makeDir(prefix: string): Promise<string>;
  /** Starts `chronos node --id ID --data-dir DATADIR` on `port` with the given flags and env. */
  launch(options: { id: string; dataDir: string; port: number; args?: string[]; env?: NodeJS.ProcessEnv }): NodeProcess;
  sql(port: number, tls?: TlsMaterial | null): SqlClient;
  /** Resolves once the node at `port` answers statements. */
  writable(port: number, tls?: TlsMaterial | null): Promise<boolean>;
  /** Resolves once the edge's outbox is empty with no error. */
  drained(edgePort: number): Promise<boolean>;
}

/** Registers the cleanup with vitest and returns the harness. */
export function edgeHarness(): EdgeHarness {
  const started: NodeProcess[] = [];
  const clients: SqlClient[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await Promise.all(started.splice(0).map((node) => stopNode(node)));
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  const sql = (port: number, tls: TlsMaterial | null = null): SqlClient => {
    const client = new SqlClient({ address: `127.0.0.1:${port}`, tls, token: null, deadlineMs: 10_000 });
    clients.push(client);
    return client;
  };
  return {
    makeDir: async (prefix) => {
      const dir = await mkdtemp(join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    },
    launch: ({ id, dataDir, port, args = [], env = {} }) => {
      const node = startNode({ id, dataDir, port, peers: new Map(), extraArgs: args, env });
      started.push(node);
      return node;
    },
    sql,
    writable: (port, tls = null) => waitFor('a node taking writes', 20_000, async () =>
      (await sql(port, tls).execute('SHOW TABLES').then(() => true, () => null))),
    drained: (edgePort) => waitFor('the edge outbox empty', 30_000, async () => {
      const status = await syncStatus(edgePort).catch(() => null);
      return status?.pendingOps === '0' && status.lastError === '' ? true : null;
    }),
  };
}
