import { execFileSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClusterUnderTest, LeaderInfo } from '../cluster-under-test.js';
import { freePort, waitUntil } from '../ports.js';
import { killChild, removeTempDir, spawnTracked, stopChild, trackTempDir } from '../processes.js';
import type { BenchChild } from '../processes.js';
import { deviceName } from '../workload.js';
import { EtcdClient } from './etcd-client.js';

const START_TIMEOUT_MS = 30_000;

/** The etcd binary's version line, or null when etcd is not installed. */
export function etcdVersion(): string | null {
  try {
    const out = execFileSync('etcd', ['--version'], { encoding: 'utf8', timeout: 10_000 });
    return out.split('\n')[0]?.trim() ?? null;
  } catch {
    return null;
  }
}

/** A 3-member etcd cluster on loopback with etcd's default settings (fsync on). */
export class EtcdCluster implements ClusterUnderTest {
  readonly name = 'etcd';
  readonly size = 3;
  readonly writeBatch = null;
  readonly #dir: string;
  readonly #clientPorts: readonly number[];
  readonly #peerPorts: readonly number[];
  readonly #token: string;
  readonly #members: (BenchChild | null)[];
  readonly #clients: EtcdClient[];

  private constructor(dir: string, clientPorts: readonly number[], peerPorts: readonly number[]) {
    this.#dir = dir;
    this.#clientPorts = clientPorts;
    this.#peerPorts = peerPorts;
    this.#token = `bench-${process.pid}-${Date.now()}`;
    this.#members = clientPorts.map(() => null);
    this.#clients = clientPorts.map((port) => new EtcdClient(`127.0.0.1:${port}`));
  }

  /** Starts 3 members and waits until one leads and all answer Status. */
  static async start(): Promise<EtcdCluster> {
    const dir = await mkdtemp(join(tmpdir(), 'chronos-bench-etcd-'));
    trackTempDir(dir);
    const taken = new Set<number>();
    const clientPorts: number[] = [];
    const peerPorts: number[] = [];
    for (let i = 0; i < 3; i++) clientPorts.push(await freePort(taken));
    for (let i = 0; i < 3; i++) peerPorts.push(await freePort(taken));
    const cluster = new EtcdCluster(dir, clientPorts, peerPorts);
    try {
      for (let i = 0; i < 3; i++) cluster.#launch(i, 'new');
      await waitUntil('an etcd leader', START_TIMEOUT_MS, () => cluster.findLeader());
      return cluster;
    } catch (error) {
      const logs = cluster.#members.map((m) => `--- ${m?.name ?? '?'}\n${m?.output().slice(-2_000) ?? ''}`);
      await cluster.stop();
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${logs.join('\n')}`);
    }
  }

  #launch(index: number, state: 'new' | 'existing'): void {
    const name = `m${index + 1}`;
    const cluster = this.#peerPorts.map((port, i) => `m${i + 1}=http://127.0.0.1:${port}`).join(',');
    const client = `http://127.0.0.1:${this.#clientPorts[index] ?? 0}`;
    const peer = `http://127.0.0.1:${this.#peerPorts[index] ?? 0}`;
    this.#members[index] = spawnTracked(`etcd ${name}`, 'etcd', [
      '--name', name,
      '--data-dir', join(this.#dir, `${name}.etcd`),
      '--listen-client-urls', client,
      '--advertise-client-urls', client,
      '--listen-peer-urls', peer,
      '--initial-advertise-peer-urls', peer,
      '--initial-cluster', cluster,
      '--initial-cluster-token', this.#token,
      '--initial-cluster-state', state,
      '--logger', 'zap',
      '--log-outputs', 'stderr',
    ]);
  }

  #client(index: number): EtcdClient {
    const client = this.#clients[index];
    if (client === undefined) throw new Error(`no etcd member ${index}`);
    return client;
  }

  /** The member whose Status names itself as leader. */
  async findLeader(among: readonly number[] = [0, 1, 2]): Promise<LeaderInfo | null> {
    const statuses = await Promise.all(
      among.map(async (index) => {
        try {
          return { index, status: await this.#client(index).status() };
        } catch {
          return { index, status: null };
        }
      }),
    );
    let best: LeaderInfo | null = null;
    for (const { index, status } of statuses) {
      if (status === null || status.leaderId === '0' || status.leaderId !== status.memberId) continue;
      if (best === null || status.raftTerm > best.term) best = { index, term: status.raftTerm };
    }
    return best;
  }

  async write(index: number, sequence: number): Promise<void> {
    await this.#client(index).put(benchKey(sequence), deviceName(sequence));
  }

  async read(index: number, sequence: number): Promise<void> {
    const found = await this.#client(index).get(benchKey(sequence));
    if (found !== 1) throw new Error(`etcd m${index + 1}: key ${benchKey(sequence)} not found`);
  }

  memberPids(): readonly (number | null)[] {
    return this.#members.map((child) => (child !== null && child.isRunning() ? child.pid : null));
  }

  async kill(index: number): Promise<void> {
    const member = this.#members[index];
    if (member !== null && member !== undefined) await killChild(member);
  }

  async restart(index: number): Promise<void> {
    // The data dir holds the membership, so the restarted member rejoins as it was.
    this.#launch(index, 'new');
    await waitUntil(`etcd m${index + 1} answering Status`, START_TIMEOUT_MS, async () => {
      try {
        const status = await this.#client(index).status();
        return status.leaderId !== '0' ? status : null;
      } catch {
        return null;
      }
    });
  }

  async stop(): Promise<void> {
    for (const client of this.#clients) client.close();
    await Promise.all(this.#members.map((m) => (m === null ? Promise.resolve() : stopChild(m))));
    removeTempDir(this.#dir);
  }
}

/** The key the workload's `sequence`-th write puts. */
function benchKey(sequence: number): string {
  return `bench/${String(sequence).padStart(12, '0')}`;
}
