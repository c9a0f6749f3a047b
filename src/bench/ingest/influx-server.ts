import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { settledInfluxDiskUse } from './influx-disk.js';
import { join } from 'node:path';
import { freePort, waitUntil } from '../ports.js';
import { removeTempDir, spawnTracked, stopChild, trackTempDir } from '../processes.js';
import type { BenchChild } from '../processes.js';

const START_TIMEOUT_MS = 30_000;

/** influxd's settings: loopback only, fsync on every WAL write (its default), extras off. */
function config(dir: string, httpPort: number, rpcPort: number): string {
  return `reporting-enabled = false
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${dir}/meta"
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  index-version = "inmem"
  wal-fsync-delay = "0s"
  # As the anchor: snapshot and compact seconds after writes stop (defaults 10m / 4h).
  cache-snapshot-write-cold-duration = "5s"
  compact-full-write-cold-duration = "10s"
  query-log-enabled = false
[monitor]
  store-enabled = false
[subscriber]
  enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:${httpPort}"
  auth-enabled = false
  log-enabled = false
  pprof-enabled = false
  max-body-size = 25000000
[logging]
  level = "warn"
  suppress-logo = true
[continuous_queries]
  enabled = false
`;
}

/** One InfluxDB 1.x server (Debian's `influxdb`) on loopback, its files in a temp dir. */
export class InfluxServer {
  readonly version: string;
  readonly #child: BenchChild;
  readonly #dir: string;
  readonly url: string;

  private constructor(child: BenchChild, dir: string, url: string, version: string) {
    this.#child = child;
    this.#dir = dir;
    this.url = url;
    this.version = version;
  }

  /** Starts influxd, waits for /ping and creates `databases`. */
  static async start(databases: readonly string[]): Promise<InfluxServer> {
    let version: string;
    try {
      version = execFileSync('influxd', ['version'], { encoding: 'utf8' }).trim();
    } catch {
      throw new Error('--vs-influx needs influxd on PATH (Debian: apt-get install influxdb)');
    }
    const dir = await mkdtemp(join(tmpdir(), 'chronos-bench-influx-'));
    trackTempDir(dir);
    const taken = new Set<number>();
    const httpPort = await freePort(taken);
    const rpcPort = await freePort(taken);
    await writeFile(join(dir, 'influxdb.conf'), config(dir, httpPort, rpcPort));
    const child = spawnTracked('influxd', 'influxd', ['run', '-config', join(dir, 'influxdb.conf')]);
    const server = new InfluxServer(child, dir, `http://127.0.0.1:${httpPort}`, version);
    await waitUntil('influxd answering /ping', START_TIMEOUT_MS, async () => {
      const ok = await fetch(`${server.url}/ping`).then((r) => r.status === 204, () => false);
      return ok ? true : null;
    }, 100);
    for (const db of databases) await server.query(`CREATE DATABASE ${db}`);
    return server;
  }

  /** Database `db`'s disk use once compacted to one TSM file and an empty WAL (or after `timeoutMs`). */
  settledDiskUse(db: string, timeoutMs: number): ReturnType<typeof settledInfluxDiskUse> {
    return settledInfluxDiskUse(this.#dir, db, timeoutMs);
  }

  /** Runs an InfluxQL statement; returns the JSON answer. */
  async query(q: string, db?: string): Promise<unknown> {
    const params = new URLSearchParams({ q, ...(db === undefined ? {} : { db }) });
    const response = await fetch(`${this.url}/query`, { method: 'POST', body: params });
    if (!response.ok) throw new Error(`influxd answered ${response.status} to ${q}`);
    return response.json();
  }

  async stop(): Promise<void> {
    await stopChild(this.#child, 30_000);
    removeTempDir(this.#dir);
  }
}
