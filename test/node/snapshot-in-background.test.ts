import { MemoryLevel } from 'memory-level';
import { afterEach, describe, expect, it } from 'vitest';
import { Logger, Random, silentLogger, systemScheduler } from '../../src/lib/index.js';
import type { LogRecord } from '../../src/lib/logger.js';
import { RaftNode } from '../../src/node/index.js';
import { openStorage } from '../../src/storage/index.js';
import type { StateExport, StorageEngine } from '../../src/storage/index.js';
import { DriverNetwork } from '../../src/sim/driver-network.js';
import { SimScheduler } from '../../src/sim/sim-scheduler.js';
import { SimDisk } from '../../src/wal/index.js';
import { TempDirs, untilTurn as until } from '../helpers/one-process.js';

const temp = new TempDirs('chronos-snapshot-bg-');
afterEach(() => temp.removeAll());

/** Holds exports while `held` (`waiting`: the held ones); `closedWhileHeld`: storage.close saw one held. */
interface Gate {
  held: boolean;
  readonly waiting: (() => void)[];
  closedWhileHeld: boolean | null;
}

/** Storage whose exports wait, while `gate.held`, until the test releases them. */
function gatedExports(engine: StorageEngine, gate: Gate): StorageEngine {
  const openExport = async (): Promise<StateExport> => {
    const opened = await engine.openExport();
    async function* chunks(): AsyncIterable<Uint8Array> {
      if (gate.held) await new Promise<void>((resolve) => { gate.waiting.push(resolve); });
      yield* opened.chunks;
    }
    return { index: opened.index, chunks: chunks() };
  };
  async function* exportSnapshot(): AsyncIterable<Uint8Array> {
    yield* (await openExport()).chunks;
  }
  const close = (): Promise<void> => {
    gate.closedWhileHeld = gate.waiting.length > 0;
    return engine.close();
  };
  const replaced: Record<string, unknown> = { openExport, exportSnapshot, close };
  return new Proxy(engine, {
    get: (target, property) => {
      if (typeof property === 'string' && property in replaced) return replaced[property];
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** A one-voter cluster member (it keeps snapshot images) compacting every 5 entries. */
async function openNode(gate: Gate, logger: Logger = silentLogger): Promise<RaftNode> {
  const level = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
  const clock = new SimScheduler(); // only its clock: timers are real here
  const network = new DriverNetwork(new Random(1), clock, { dropRate: 0, duplicateRate: 0, delayMinMs: 1, delayMaxMs: 1, tailRate: 0, tailMsMax: 0 });
  return RaftNode.open({
    id: 'n1', nodeDir: temp.make(), address: 'sim-n1', peers: new Map(), tickMs: 20, snapshotEveryEntries: 5,
    writeTimeoutMs: 10_000, readTimeoutMs: 10_000, tls: null, peerToken: null, clock, logger,
    ttlCleanupIntervalMs: 0, layout: 'node',
    environment: {
      scheduler: systemScheduler, disk: new SimDisk(),
      openStorage: async () => gatedExports(await openStorage({ level }), gate),
      connectPeers: () => network.transport('n1', { alive: true }),
    },
  }, false);
}

const caller = { token: null, user: null, peer: 'test' };

/** Writes a table and six rows: the snapshot is due, and its export is held. */
async function writeUntilExportHeld(node: RaftNode, gate: Gate): Promise<void> {
  await until(() => node.status().role === 'Leader');
  await node.write(['CREATE TABLE t (id INT PRIMARY KEY)'], caller);
  for (let id = 1; id <= 6; id++) await node.write([`INSERT INTO t VALUES (${id})`], caller);
  await until(() => gate.waiting.length === 1);
}

function release(gate: Gate): void {
  gate.held = false;
  for (const resume of gate.waiting.splice(0)) resume();
}

describe('log compaction', () => {
  it('exports its image off the Raft loop: writes commit while an export is held, then the log compacts to it', async () => {
    const gate: Gate = { held: true, waiting: [], closedWhileHeld: null };
    const node = await openNode(gate);
    try {
      await writeUntilExportHeld(node, gate);
      // The export is held: writes still commit and apply, and the log is not compacted yet.
      for (let id = 7; id <= 20; id++) await node.write([`INSERT INTO t VALUES (${id})`], caller);
      expect(node.inspect().logView().snapshotIndex).toBe(0);
      const heldAt = node.inspect().status().appliedIndex;
      release(gate);
      // No write follows: the loop compacts on a turn without a Ready (a tick's).
      await until(() => node.inspect().logView().snapshotIndex > 0);
      // Compacted to the index the export was opened at, not to where the log had moved since.
      expect(node.inspect().logView().snapshotIndex).toBeLessThan(heldAt);
      const rows = await node.execute('SELECT count(*) FROM t', caller);
      expect(rows.kind === 'rows' ? Number(rows.rows[0]?.[0]) : -1).toBe(20);
    } finally {
      release(gate);
      await node.stop();
    }
  });

  it('a stopping node closes storage only after a running export ended, which then logs no failure', async () => {
    const gate: Gate = { held: true, waiting: [], closedWhileHeld: null };
    const records: LogRecord[] = [];
    const node = await openNode(gate, new Logger({ sinks: [{ write: (record) => records.push(record) }], level: 'info' }));
    await writeUntilExportHeld(node, gate);
    const stopping = node.stop();
    // Bounded: without the wait, stop reaches storage.close within a few turns.
    for (let turn = 0; turn < 5_000 && gate.closedWhileHeld === null; turn++) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(gate.closedWhileHeld).toBe(null);
    release(gate);
    await stopping;
    expect(gate.closedWhileHeld).toBe(false);
    expect(records.filter((record) => record.level === 'error').map((record) => record.message)).toEqual([]);
  });
});
