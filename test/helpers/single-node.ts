import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqlClient } from '../../src/api/grpc/index.js';
import { freeNodePort } from './ports.js';
import { health, startNode, stopNode, waitFor } from './node-process.js';
import type { NodeProcess } from './node-process.js';

/** One `chronos node` process in a temp dir, leader of itself, with a plaintext SQL client. */
export interface SingleNode {
  readonly node: NodeProcess;
  readonly client: SqlClient;
  /** Closes the client, stops the process and removes the dir. */
  stop(): Promise<void>;
}

/** Starts a single node (`extraArgs` after the usual flags) and waits until it leads. */
export async function startSingleNode(dirPrefix: string, extraArgs: readonly string[] = []): Promise<SingleNode> {
  const dir = await mkdtemp(join(tmpdir(), dirPrefix));
  const port = await freeNodePort();
  const node = startNode({ id: 'node1', dataDir: join(dir, 'cluster'), port, peers: new Map(), extraArgs: [...extraArgs] });
  const client = new SqlClient({ address: `127.0.0.1:${port}`, tls: null, token: null });
  const stop = async (): Promise<void> => {
    client.close();
    await stopNode(node);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor('leader', 15_000, async () => ((await health(node))?.role === 'Leader' ? true : null));
  } catch (error) {
    await stop();
    throw error;
  }
  return { node, client, stop };
}
