import { MemoryLevel } from 'memory-level';
import { afterEach, describe, expect, it } from 'vitest';
import { Random, silentLogger, systemScheduler } from '../../src/lib/index.js';
import { RaftNode } from '../../src/node/index.js';
import { openStorage } from '../../src/storage/index.js';
import type { StateExport, StorageEngine } from '../../src/storage/index.js';
import { DriverNetwork } from '../../src/sim/driver-network.js';
import { SimScheduler } from '../../src/sim/sim-scheduler.js';
import { SimDisk } from '../../src/wal/index.js';
import { TempDirs, untilTurn as until } from '../helpers/one-process.js';

const temp = new TempDirs('chronos-snapshot-bg-');
afterEach(() => temp.removeAll());

/** Storage whose exports wait, while `gate.held`, until the test releases them. */
function gatedExports(engine: StorageEngine, gate: { held: boolean; waiting: (() => void)[] }): StorageEngine {
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
  return new Proxy(engine, {
    get: (target, property) => {
      if (property === 'openExport') return openExport;
      if (property === 'exportSnapshot') return exportSnapshot;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('log compaction', () => {
  it('exports its image off the Raft loop: writes commit while an export is held, then the log compacts to it', async () => {
    const gate = { held: true, waiting: [] as (() => void)[] };
    const level = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
    const clock = new SimScheduler(); // only its clock: timers are real here
    const network = new DriverNetwork(new Random(1), clock, { dropRate: 0, duplicateRate: 0, delayMinMs: 1, delayMaxMs: 1, tailRate: 0, tailMsMax: 0 });
    const node = await RaftNode.open({
      id: 'n1', nodeDir: temp.make(), address: 'sim-n1', peers: new Map(), tickMs: 20, snapshotEveryEntries: 5,
      writeTimeoutMs: 10_000, readTimeoutMs: 10_000, tls: null, peerToken: null, clock, logger: silentLogger,
      ttlCleanupIntervalMs: 0, layout: 'node',
      environment: {
        scheduler: systemScheduler, disk: new SimDisk(),
        openStorage: async () => gatedExports(await openStorage({ level }), gate),
        connectPeers: () => network.transport('n1', { alive: true }),
      },
    }, false);
    const caller = { token: null, user: null, peer: 'test' };
    try {
      await until(() => node.status().role === 'Leader');
      await node.write(['CREATE TABLE t (id INT PRIMARY KEY)'], caller);
      for (let id = 1; id <= 6; id++) await node.write([`INSERT INTO t VALUES (${id})`], caller);
      await until(() => gate.waiting.length === 1);
      // The export is held: writes still commit and apply, and the log is not compacted yet.
      for (let id = 7; id <= 20; id++) await node.write([`INSERT INTO t VALUES (${id})`], caller);
      expect(node.inspect().logView().snapshotIndex).toBe(0);
      const heldAt = node.inspect().status().appliedIndex;
      gate.held = false;
      for (const release of gate.waiting.splice(0)) release();
      await until(() => node.inspect().logView().snapshotIndex > 0);
      // Compacted to the index the export was opened at, not to where the log had moved since.
      expect(node.inspect().logView().snapshotIndex).toBeLessThan(heldAt);
      const rows = await node.execute('SELECT count(*) FROM t', caller);
      expect(rows.kind === 'rows' ? Number(rows.rows[0]?.[0]) : -1).toBe(20);
    } finally {
      await node.stop();
    }
  });
});
