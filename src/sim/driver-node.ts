import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryLevel } from 'memory-level';
import { assert, Logger, silentLogger, TextSink } from '../lib/index.js';
import type { Random } from '../lib/index.js';
import type { NodeEnvironment } from '../node/index.js';
import { RaftNode } from '../node/index.js';
import type { RaftConfig } from '../raft/index.js';
import type { NodeId } from '../raft/index.js';
import { openStorage } from '../storage/index.js';
import { compareBytes } from '../storage/index.js';
import { META_APPLIED_INDEX } from '../storage/index.js';
import { SimDisk } from '../wal/index.js';
import type { Disk } from '../wal/index.js';
import type { DriverNetwork } from './driver-network.js';
import { simAddress } from './driver-network.js';
import type { SimScheduler, TimerOwner } from './sim-scheduler.js';

/** Planted bugs the simulation must catch (tests only). */
export interface DriverPlants {
  /** fsync returns without making the WAL durable: a write is acknowledged before it is. */
  readonly lyingFsync?: boolean;
  /** Storage drops the applied index from its batches: apply is no longer exactly once. */
  readonly forgetAppliedIndex?: boolean;
}

/** How every node of one run is configured. */
export interface DriverNodeConfig {
  readonly ids: readonly NodeId[];
  readonly raft: Partial<Omit<RaftConfig, 'id' | 'voters'>>;
  readonly snapshotEveryEntries: number;
  readonly plants: DriverPlants;
  /** An fsync takes up to this many simulated ms. */
  readonly fsyncMsMax: number;
}

const TICK_MS = 100;
const REQUEST_TIMEOUT_MS = 3_000;

/**
 * One simulated server running the real driver: a RaftNode over a SimDisk (the WAL: power loss
 * keeps only what was fsynced, maybe a torn tail) and a memory-level store, on the simulated
 * clock and network. Its dir (markers only) is a real temporary directory.
 */
export class DriverNode {
  readonly id: NodeId;
  readonly #dir: string;
  #disk: SimDisk;
  #level: MemoryLevel<Uint8Array, Uint8Array>;
  readonly #config: DriverNodeConfig;
  readonly #random: Random;
  #owner: TimerOwner = { alive: false };
  node: RaftNode | null = null;
  /** Bumped on each start; checks are per incarnation. */
  incarnation = 0;
  /** Set when the next WAL fsync should crash the node mid-write. */
  crashInSync = false;
  /** Set by a fatal error (a failed fsync): the simulation restarts the node. */
  failed = false;
  /** The last fatal error, for failure messages. */
  lastFatal: Error | null = null;

  constructor(id: NodeId, config: DriverNodeConfig, random: Random, root: string) {
    this.id = id;
    this.#config = config;
    this.#random = random;
    this.#dir = join(root, id);
    mkdirSync(this.#dir, { recursive: true }); // the dir marker is a real file
    this.#level = this.#emptyLevel();
    this.#disk = new SimDisk({ random: random.fork(), beforeSync: () => this.#beforeSync() });
  }

  #emptyLevel(): MemoryLevel<Uint8Array, Uint8Array> {
    return this.#config.plants.forgetAppliedIndex === true ? forgetfulLevel(META_APPLIED_INDEX)
      : new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
  }

  /** The stopped node's disk is replaced by an empty one (the guide's Replace Failed Node). */
  wipe(): void {
    assert(this.node === null, `wiping live node ${this.id}`);
    this.#level = this.#emptyLevel();
    this.#disk = new SimDisk({ random: this.#random.fork(), beforeSync: () => this.#beforeSync() });
    rmSync(this.#dir, { recursive: true, force: true });
    mkdirSync(this.#dir, { recursive: true });
  }

  get alive(): boolean {
    return this.node !== null;
  }

  /** The WAL's disk (to plant an fsync failure). */
  get disk(): SimDisk {
    return this.#disk;
  }

  /** Opens the node from whatever its disk and store hold. */
  async start(scheduler: SimScheduler, network: DriverNetwork): Promise<void> {
    assert(this.node === null, `starting live node ${this.id}`);
    this.#disk.restart();
    const owner: TimerOwner = { alive: true };
    this.#owner = owner;
    const timers = scheduler.forOwner(owner);
    this.#syncDelay = (ms) => timers.sleep(ms);
    this.incarnation += 1;
    this.failed = false;
    const node = await RaftNode.open({
      id: this.id, nodeDir: this.#dir, address: simAddress(this.id),
      peers: new Map(this.#config.ids.filter((id) => id !== this.id).map((id) => [id, simAddress(id)])),
      tickMs: TICK_MS, raft: this.#config.raft, snapshotEveryEntries: this.#config.snapshotEveryEntries,
      writeTimeoutMs: REQUEST_TIMEOUT_MS, readTimeoutMs: REQUEST_TIMEOUT_MS, tls: null, peerToken: null,
      clock: scheduler, logger: nodeLogger(this.id), ttlCleanupIntervalMs: 0, seed: this.#random.nextU32(),
      environment: this.#environment(scheduler, network, owner),
    }, false);
    node.onFatal((error) => {
      this.failed = true;
      this.lastFatal = error;
    });
    this.node = node;
    network.attach(this.id, { owner, node });
  }

  #environment(scheduler: SimScheduler, network: DriverNetwork, owner: TimerOwner): NodeEnvironment {
    const disk = this.#config.plants.lyingFsync === true ? lyingDisk(this.#disk) : this.#disk;
    return {
      scheduler: scheduler.forOwner(owner),
      disk,
      openStorage: () => openStorage({ level: this.#level }),
      connectPeers: () => network.transport(this.id, owner),
    };
  }

  /**
   * The process dies: its timers, deferrals and network traffic stop, and the disk keeps only
   * what was fsynced (plus, maybe, a torn part of the rest). The store keeps what it was
   * given (a process crash loses nothing the OS already has).
   */
  crash(network: DriverNetwork): void {
    this.#owner.alive = false;
    network.attach(this.id, null);
    this.node = null;
    this.crashInSync = false;
    this.#disk.crash({ keepUnsyncedPrefix: true });
  }

  /** The process exited while opening (a failed fsync): whatever it began is dead too. */
  abandonStart(network: DriverNetwork): void {
    this.#owner.alive = false;
    network.attach(this.id, null);
    this.#disk.crash({ keepUnsyncedPrefix: true });
  }

  /** Removes the node's real directory (markers) at the end of a run. */
  removeDir(): void {
    rmSync(this.#dir, { recursive: true, force: true });
  }

  async #beforeSync(): Promise<void> {
    // Only once open: the simulation awaits an opening node outside simulated time.
    const sleep = this.#syncDelay;
    if (sleep !== null && this.node !== null && this.#config.fsyncMsMax > 0) {
      await sleep(this.#random.int(this.#config.fsyncMsMax + 1));
    }
    if (!this.crashInSync || this.node === null) return;
    this.crashInSync = false;
    this.#crashHook?.(this);
  }

  #crashHook: ((node: DriverNode) => void) | null = null;
  /** Simulated time an fsync takes (this incarnation's timers: a crash stops it for good). */
  #syncDelay: ((ms: number) => Promise<void>) | null = null;

  /** What the simulation does when a planned crash strikes inside an fsync. */
  onCrashInSync(hook: (node: DriverNode) => void): void {
    this.#crashHook = hook;
  }
}

/** Silent, unless CHRONOS_SIM_LOG=1 asks for the nodes' logs on stderr (replaying a seed). */
function nodeLogger(id: NodeId): Logger {
  if (process.env['CHRONOS_SIM_LOG'] !== '1') return silentLogger;
  return new Logger({ sinks: [new TextSink(process.stderr)], level: 'debug', component: id });
}

/** A fresh temporary root for one run's node dirs. */
export function simRoot(): string {
  return mkdtempSync(join(tmpdir(), 'chronos-sim-'));
}

/** A store whose writes of `forgotten` go elsewhere (the planted bug of a lost applied index). */
function forgetfulLevel(forgotten: Uint8Array): MemoryLevel<Uint8Array, Uint8Array> {
  const level = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
  const elsewhere = new TextEncoder().encode('planted: forgotten key');
  level.hooks.prewrite.add((op) => {
    if (op.key instanceof Uint8Array && compareBytes(op.key, forgotten) === 0) op.key = elsewhere;
  });
  return level;
}

/** A disk whose fsync does nothing: the planted bug of acknowledging before durability. */
function lyingDisk(inner: SimDisk): Disk & { readonly stats: SimDisk['stats'] } {
  return {
    stats: inner.stats,
    mkdir: (dir) => inner.mkdir(dir),
    list: (dir) => inner.list(dir),
    read: (path) => inner.read(path),
    truncate: (path, length) => inner.truncate(path, length),
    rename: (from, to) => inner.rename(from, to),
    unlink: (path) => inner.unlink(path),
    syncDir: (dir) => inner.syncDir(dir),
    openAppend: async (path) => {
      const file = await inner.openAppend(path);
      return { path: file.path, append: (data) => file.append(data), sync: async () => undefined, close: () => file.close() };
    },
  };
}
