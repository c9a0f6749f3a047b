import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import type { StatementResult } from '../sql/index.js';
import { SqlClient } from '../api/grpc/index.js';
import type { ClusterUnderTest, LeaderInfo } from './cluster-under-test.js';
import { freePort, waitUntil } from './ports.js';
import type { NodeHops } from './write-hops.js';
import { parseLoopPauses } from './loop-pauses.js';
import type { LoopPauses } from './loop-pauses.js';
import { killChild, removeTempDir, spawnTracked, stopChild, trackTempDir } from './processes.js';
import type { BenchChild } from './processes.js';
import { TABLE_COLUMNS, insertRows } from './workload.js';
import { parseStageCounters } from './write-trace.js';
import type { StageCounters } from './write-trace.js';

const TABLE = 'bench';
const ADMIN_PORT_OFFSET = 1_000;
const START_TIMEOUT_MS = 30_000;

/** bin/chronos, found by walking up from this file to the package root (works from dist/). */
function chronosBin(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 8; depth++) {
    const candidate = join(folder, 'bin', 'chronos');
    if (existsSync(join(folder, 'package.json')) && existsSync(candidate)) return candidate;
    folder = dirname(folder);
  }
  throw new Error('cannot find bin/chronos above the bench code');
}

interface HealthBody {
  readonly role: string;
  readonly term: number;
}

function isHealth(value: unknown): value is HealthBody {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['role'] === 'string' && typeof v['term'] === 'number';
}

/** How to start a cluster: its size, extra node flags and environment, SQL run once it leads. */
export interface ClusterOptions {
  readonly size: number;
  readonly nodeArgs: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly setupSql: readonly string[];
}

const DEFAULT_OPTIONS: ClusterOptions = {
  size: 3, nodeArgs: [], env: {}, setupSql: [`CREATE TABLE ${TABLE} (${TABLE_COLUMNS})`],
};

/** A ChronosDB cluster (3 nodes unless told otherwise) of real `chronos node` processes on loopback. */
export class ChronosCluster implements ClusterUnderTest {
  readonly name = 'ChronosDB';
  readonly size: number;
  readonly #dir: string;
  readonly #ports: readonly number[];
  readonly #nodes: (BenchChild | null)[];
  readonly #clients: SqlClient[];
  readonly #options: ClusterOptions;

  private constructor(dir: string, ports: readonly number[], options: ClusterOptions) {
    this.size = ports.length;
    this.#options = options;
    this.#dir = dir;
    this.#ports = ports;
    this.#nodes = ports.map(() => null);
    this.#clients = ports.map(
      (port) => new SqlClient({ address: `127.0.0.1:${port}`, tls: null, token: null, deadlineMs: 10_000 }),
    );
  }

  /** Starts the nodes, waits for a leader and runs the setup SQL (by default: the bench table) through it. */
  static async start(overrides: Partial<ClusterOptions> = {}): Promise<ChronosCluster> {
    const options = { ...DEFAULT_OPTIONS, ...overrides };
    const dir = await mkdtemp(join(tmpdir(), 'chronos-bench-cluster-'));
    trackTempDir(dir);
    const taken = new Set<number>();
    const ports: number[] = [];
    for (let i = 0; i < options.size; i++) ports.push(await freePort(taken, [0, ADMIN_PORT_OFFSET]));
    const cluster = new ChronosCluster(dir, ports, options);
    try {
      for (let i = 0; i < options.size; i++) cluster.#launch(i);
      const leader = await waitUntil('a ChronosDB leader', START_TIMEOUT_MS, () => cluster.findLeader());
      for (const sql of options.setupSql) await cluster.#clients[leader.index]?.execute(sql);
      return cluster;
    } catch (error) {
      const logs = cluster.#nodes.map((n) => `--- ${n?.name ?? '?'}\n${n?.output().slice(-2_000) ?? ''}`);
      await cluster.stop();
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${logs.join('\n')}`);
    }
  }

  #launch(index: number): void {
    const ids = this.#ports.map((_, i) => `node${i + 1}`);
    const peers = this.#ports
      .map((port, i) => (i === index ? null : `${ids[i] ?? ''}=127.0.0.1:${port}`))
      .filter((p) => p !== null)
      .join(',');
    const args = [
      chronosBin(),
      'node',
      '--id',
      ids[index] ?? '',
      '--data-dir',
      this.#dir,
      '--address',
      `127.0.0.1:${this.#ports[index] ?? 0}`,
      ...(peers === '' ? [] : ['--peers', peers]),
      ...this.#options.nodeArgs,
    ];
    this.#nodes[index] = spawnTracked(ids[index] ?? 'node', process.execPath, args, {
      ...process.env,
      CHRONOS_LOG_LEVEL: 'warn',
      ...this.#options.env,
    });
  }

  async #health(index: number): Promise<HealthBody | null> {
    const port = (this.#ports[index] ?? 0) + ADMIN_PORT_OFFSET;
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1_000) });
      if (!response.ok) return null;
      const body: unknown = await response.json();
      return isHealth(body) ? body : null;
    } catch {
      return null;
    }
  }

  /** HOST:PORT of node `index`'s gRPC endpoint. */
  grpcAddress(index: number): string {
    return `127.0.0.1:${this.#ports[index] ?? 0}`;
  }

  /** Node `index`'s write-path trace counters, from its /metrics. */
  async writeStages(index: number): Promise<StageCounters> {
    return parseStageCounters(await this.#metricsText(index));
  }

  /** Node `index`'s GC pauses and event-loop delays so far, from its /metrics. */
  async loopPauses(index: number): Promise<LoopPauses> {
    return parseLoopPauses(await this.#metricsText(index));
  }

  async #metricsText(index: number): Promise<string> {
    const response = await fetch(`${this.adminUrl(index)}/metrics`, { signal: AbortSignal.timeout(5_000) });
    return response.text();
  }

  /** Node `index`'s recent entries, hop by hop, from its /debug/write-hops. */
  async writeHops(index: number): Promise<NodeHops> {
    const response = await fetch(`${this.adminUrl(index)}/debug/write-hops`, { signal: AbortSignal.timeout(10_000) });
    const body = await response.json() as { entries: NodeHops['entries'] };
    return { id: `node${index + 1}`, entries: body.entries };
  }

  /** The value of the unlabelled metric `name` in node `index`'s /metrics (throws when absent). */
  async metric(index: number, name: string): Promise<number> {
    const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(await this.#metricsText(index));
    if (match === null) throw new Error(`node ${index + 1} reports no ${name}`);
    return Number(match[1]);
  }

  /** Base URL of node `index`'s admin HTTP server. */
  adminUrl(index: number): string {
    return `http://127.0.0.1:${(this.#ports[index] ?? 0) + ADMIN_PORT_OFFSET}`;
  }

  /** Runs one statement through node `index`. */
  async execute(index: number, sql: string): Promise<StatementResult> {
    return this.#client(index).execute(sql);
  }

  /** The node whose /health says Leader, highest term first. */
  async findLeader(among: readonly number[] = this.#ports.map((_, i) => i)): Promise<LeaderInfo | null> {
    const healths = await Promise.all(among.map(async (i) => ({ index: i, health: await this.#health(i) })));
    let best: LeaderInfo | null = null;
    for (const { index, health } of healths) {
      if (health?.role !== 'Leader') continue;
      if (best === null || health.term > best.term) best = { index, term: health.term };
    }
    return best;
  }

  async write(index: number, sequence: number): Promise<void> {
    await this.#client(index).execute(insertRows(TABLE, sequence, 1));
  }

  async read(index: number, sequence: number): Promise<void> {
    const result = await this.#client(index).execute(`SELECT device FROM ${TABLE} WHERE id = ${sequence}`);
    if (result.kind !== 'rows' || result.rows.length !== 1) throw new Error(`node ${index + 1}: row ${sequence} not found`);
  }

  readonly writeBatch = async (index: number, first: number, count: number): Promise<void> => {
    await this.#client(index).execute(insertRows(TABLE, first, count));
  };

  #client(index: number): SqlClient {
    const client = this.#clients[index];
    if (client === undefined) throw new Error(`no ChronosDB node ${index}`);
    return client;
  }

  memberPids(): readonly (number | null)[] {
    return this.#nodes.map((child) => (child !== null && child.isRunning() ? child.pid : null));
  }

  async kill(index: number): Promise<void> {
    const node = this.#nodes[index];
    if (node !== null && node !== undefined) await killChild(node);
  }

  async restart(index: number): Promise<void> {
    this.#launch(index);
    await waitUntil(`node${index + 1} serving /health`, START_TIMEOUT_MS, () => this.#health(index));
  }

  async stop(): Promise<void> {
    for (const client of this.#clients) client.close();
    await Promise.all(this.#nodes.map((n) => (n === null ? Promise.resolve() : stopChild(n))));
    removeTempDir(this.#dir);
  }
}
