import { Client, credentials } from '@grpc/grpc-js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NO_CHANNELZ } from '../../transport/index.js';
import { closedLoop, windowStats } from '../closed-loop.js';
import { freePort, waitUntil } from '../ports.js';
import { renderCpuPerOp, startCpuMeter } from '../process-cpu.js';
import type { CpuPerOp } from '../process-cpu.js';
import { removeTempDir, spawnTracked, stopChild, trackTempDir } from '../processes.js';
import type { BenchChild } from '../processes.js';
import { summarize } from '../stats.js';
import type { Summary } from '../stats.js';
import { FLOOR_KEY_BYTES } from './floor-service.js';

/** One concurrency of the floor: writes (or reads) per second and latency, over the windows. */
export interface FloorPoint {
  readonly concurrency: number;
  readonly opsPerSecond: Summary;
  readonly p50Ms: Summary;
  readonly p99Ms: Summary;
  /** CPU ms per operation of each process (the followers, then the leader) and of the client. */
  readonly cpu: CpuPerOp;
}

/** What the floor measured: single-key writes, then reads of written keys, through its leader. */
export interface FloorRun {
  readonly writes: readonly FloorPoint[];
  readonly reads: readonly FloorPoint[];
}

const PRIME_MS = 5_000;
const WARM_MS = 1_000;
const WINDOW_MS = 2_000;
const WRITE_WINDOWS = 4;
const READ_WINDOWS = 3;
const CONCURRENCIES = [1, 16, 64] as const;
/** The ~60-byte value every write carries, as in the cluster workload. */
const VALUE = Buffer.from('device-0000000000-sensor-rack-a-building-north 12.345 1700000000');

function keyRequest(key: number, value: Buffer | null): Buffer {
  const request = Buffer.alloc(FLOOR_KEY_BYTES + (value?.length ?? 0));
  request.writeUInt32LE(key >>> 0, 0);
  value?.copy(request, FLOOR_KEY_BYTES);
  return request;
}

async function measure(
  floor: WriteFloor,
  concurrency: number,
  windows: number,
  op: (sequence: number) => Promise<void>,
  firstSequence: number,
): Promise<{ point: FloorPoint; nextSequence: number }> {
  const pids = floor.pids();
  // The leader is the last process started, after the followers it streams to.
  const meter = startCpuMeter(pids, pids.length - 1);
  const run = await closedLoop({ concurrency, durationMs: WARM_MS + windows * WINDOW_MS, op, firstSequence });
  const cpu = meter.perOp(run.endMs.length);
  if (run.errors > 0) throw new Error(`write floor: ${run.errors} failed calls, last: ${run.lastError ?? ''}`);
  const stats = windowStats(run, WARM_MS, WINDOW_MS, windows);
  return {
    point: {
      concurrency,
      opsPerSecond: summarize(stats.map((s) => s.opsPerSecond)),
      p50Ms: summarize(stats.map((s) => s.p50Ms)),
      p99Ms: summarize(stats.map((s) => s.p99Ms)),
      cpu,
    },
    nextSequence: run.nextSequence,
  };
}

/** The floor's three processes on loopback and a client of its leader. */
export class WriteFloor {
  readonly #dir: string;
  readonly #nodes: BenchChild[];
  readonly #client: Client;

  private constructor(dir: string, nodes: BenchChild[], leaderPort: number) {
    this.#dir = dir;
    this.#nodes = nodes;
    this.#client = new Client(`127.0.0.1:${leaderPort}`, credentials.createInsecure(), { ...NO_CHANNELZ });
  }

  /**
   * Starts two followers and a leader streaming to them, each writing its file in a temp dir;
   * `script` is the compiled floor-node.js (by default the one beside this file).
   */
  static async start(script = fileURLToPath(new URL('./floor-node.js', import.meta.url))): Promise<WriteFloor> {
    const dir = await mkdtemp(join(tmpdir(), 'chronos-bench-floor-'));
    trackTempDir(dir);
    const taken = new Set<number>();
    const [leaderPort = 0, ...followerPorts] = [await freePort(taken), await freePort(taken), await freePort(taken)];
    const spawnNode = (name: string, args: readonly string[]): BenchChild => spawnTracked(name, process.execPath, [script, ...args]);
    // The followers listen before the leader opens its streams to them (a stream that finds
    // nobody listening fails, and the floor does not redial).
    const followers = followerPorts.map((port, i) =>
      spawnNode(`floor-follower${i + 1}`, ['follower', String(port), join(dir, `follower${i + 1}.log`)]));
    const nodes: BenchChild[] = [...followers];
    const floor = new WriteFloor(dir, nodes, leaderPort);
    try {
      for (const node of followers) await WriteFloor.#listening(node);
      nodes.push(spawnNode('floor-leader', ['leader', String(leaderPort), join(dir, 'leader.log'), ...followerPorts.map(String)]));
      await WriteFloor.#listening(nodes[nodes.length - 1] as BenchChild);
    } catch (error) {
      await floor.stop();
      throw error;
    }
    return floor;
  }

  static async #listening(node: BenchChild): Promise<void> {
    await waitUntil(`${node.name} to listen`, 10_000, () => (node.output().includes('ready') ? true : null));
  }

  /** The process ids: the followers, then the leader (the last). */
  pids(): readonly number[] {
    return this.#nodes.map((node) => node.pid);
  }

  /** The follower processes (to stop one in a test). */
  get followers(): readonly BenchChild[] {
    return this.#nodes.filter((node) => node.name.startsWith('floor-follower'));
  }

  /** The last output of each process, for an error report. */
  logs(): string {
    return this.#nodes.map((node) => `--- ${node.name}\n${node.output().slice(-2_000)}`).join('\n');
  }

  /** Writes `value` under `key`; resolves once the leader and a follower have it on disk. */
  async write(key: number, value: Buffer = VALUE): Promise<void> {
    await this.#call('Write', keyRequest(key, value));
  }

  /** The value of `key` on the leader (empty when absent). */
  read(key: number): Promise<Buffer> {
    return this.#call('Read', keyRequest(key, null));
  }

  #call(method: 'Write' | 'Read', request: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.#client.makeUnaryRequest<Buffer, Buffer>(`/floor.Floor/${method}`, (b) => b, (b) => b, request,
        { deadline: Date.now() + 10_000 },
        (error, answer) => (error !== null || answer === undefined ? reject(error ?? new Error('no answer')) : resolve(answer)));
    });
  }

  /** Stops the processes and removes their files. */
  async stop(): Promise<void> {
    this.#client.close();
    await Promise.all(this.#nodes.map((node) => stopChild(node)));
    removeTempDir(this.#dir);
  }
}

/**
 * Runs the write floor (floor-node.ts) on three processes on loopback: writes through its
 * leader at 1, 16 and 64 clients (after priming), then reads of written keys, timed like the
 * cluster workload.
 */
export async function runWriteFloor(log: (line: string) => void): Promise<FloorRun> {
  const floor = await WriteFloor.start();
  try {
    const write = (key: number): Promise<void> => floor.write(key);
    log(`write floor: priming for ${PRIME_MS} ms`);
    let next = (await closedLoop({ concurrency: 16, durationMs: PRIME_MS, op: write })).nextSequence;
    const writes: FloorPoint[] = [];
    for (const concurrency of CONCURRENCIES) {
      log(`write floor: writes, ${concurrency} clients`);
      const { point, nextSequence } = await measure(floor, concurrency, WRITE_WINDOWS, write, next);
      log(`write floor: ${concurrency} clients, CPU ms per write: ${renderCpuPerOp(point.cpu)}`);
      writes.push(point);
      next = nextSequence;
    }
    const written = next;
    const read = async (sequence: number): Promise<void> => {
      const answer = await floor.read((sequence * 7919) % written);
      if (answer.length === 0) throw new Error('write floor: a written key read back empty');
    };
    const reads: FloorPoint[] = [];
    for (const concurrency of CONCURRENCIES) {
      log(`write floor: reads, ${concurrency} clients`);
      reads.push((await measure(floor, concurrency, READ_WINDOWS, read, 0)).point);
    }
    return { writes, reads };
  } catch (error) {
    // A floor process that died or stalled says why in its own output.
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${floor.logs()}`);
  } finally {
    await floor.stop();
  }
}
