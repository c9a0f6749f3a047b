import { SqlClient } from '../../src/api/grpc/index.js';
import { startNode } from './node-process.js';
import type { NodeProcess } from './node-process.js';
import { freeNodePort } from './ports.js';

/** Real `chronos node` processes of one cluster on loopback, and a SQL client per node. */
export class ProcessCluster<Id extends string> {
  readonly ids: readonly Id[];
  readonly dataDir: string;
  readonly ports = new Map<Id, number>();
  readonly nodes = new Map<Id, NodeProcess>();
  readonly #clients = new Map<Id, SqlClient>();
  readonly #env: NodeJS.ProcessEnv;
  readonly #extraArgs: readonly string[];

  private constructor(ids: readonly Id[], dataDir: string, env: NodeJS.ProcessEnv,
    extraArgs: readonly string[]) {
    this.ids = ids;
    this.dataDir = dataDir;
    this.#env = env;
    this.#extraArgs = extraArgs;
  }

  /** Picks a free port pair for every node; starts none. */
  static async create<Id extends string>(ids: readonly Id[], dataDir: string,
    env: NodeJS.ProcessEnv = {}, extraArgs: readonly string[] = []): Promise<ProcessCluster<Id>> {
    const cluster = new ProcessCluster(ids, dataDir, env, extraArgs);
    const taken = new Set<number>();
    for (const id of ids) {
      const port = await freeNodePort(taken);
      taken.add(port);
      cluster.ports.set(id, port);
    }
    return cluster;
  }

  /**
   * Starts `id` with the guide's command line: its address and, as `--peers`, `peerIds` (by
   * default every other node of the cluster).
   */
  launch(id: Id, peerIds: readonly Id[] = this.ids): NodeProcess {
    const peers = new Map<string, number>();
    for (const other of peerIds) if (other !== id) peers.set(other, this.ports.get(other) ?? 0);
    const node = startNode({ id, dataDir: this.dataDir, port: this.ports.get(id) ?? 0, peers,
      env: this.#env, extraArgs: this.#extraArgs });
    this.nodes.set(id, node);
    return node;
  }

  /** The node's process as last launched (throws if it never was). */
  node(id: Id): NodeProcess {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`${id} was never launched`);
    return node;
  }

  /** A gRPC SQL client of `id` (one per node, reused). */
  client(id: Id): SqlClient {
    let client = this.#clients.get(id);
    if (client === undefined) {
      client = new SqlClient({ address: `127.0.0.1:${this.ports.get(id)}`, tls: null, token: null,
        deadlineMs: 8_000 });
      this.#clients.set(id, client);
    }
    return client;
  }

  /** Closes the clients; the caller stops the processes. */
  closeClients(): void {
    for (const client of this.#clients.values()) client.close();
  }
}
