import { MemoryLevel } from 'memory-level';
import { afterEach, describe, expect, it } from 'vitest';
import { Random, silentLogger, systemScheduler } from '../../src/lib/index.js';
import { RaftNode } from '../../src/node/index.js';
import { openStorage } from '../../src/storage/index.js';
import { DriverNetwork } from '../../src/sim/driver-network.js';
import { SimScheduler } from '../../src/sim/sim-scheduler.js';
import { SimDisk } from '../../src/wal/index.js';
import { TempDirs, untilTurn as until } from '../helpers/one-process.js';

const temp = new TempDirs('chronos-step-');
afterEach(() => temp.removeAll());

describe('the Raft loop while its WAL fsync is in flight', () => {
  it('steps what arrives meanwhile: a second proposal is in the log before the first fsync ends', async () => {
    const nodeDir = temp.make();
    let held: (() => void) | null = null;
    let holding = false;
    const disk = new SimDisk({
      beforeSync: () => (holding ? new Promise<void>((release) => { held = release; }) : Promise.resolve()),
    });
    const level = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
    const clock = new SimScheduler(); // only its clock: timers are real here
    const network = new DriverNetwork(new Random(1), clock, { dropRate: 0, duplicateRate: 0, delayMinMs: 1, delayMaxMs: 1, tailRate: 0, tailMsMax: 0 });
    const owner = { alive: true };
    const node = await RaftNode.open({
      id: 'n1', nodeDir, address: 'sim-n1', peers: new Map(), tickMs: 100, snapshotEveryEntries: 1_000,
      writeTimeoutMs: 10_000, readTimeoutMs: 10_000, tls: null, peerToken: null, clock, logger: silentLogger,
      ttlCleanupIntervalMs: 0, layout: 'single-node',
      environment: { scheduler: systemScheduler, disk, openStorage: () => openStorage({ level }), connectPeers: () => network.transport('n1', owner) },
    }, false);
    const caller = { token: null, user: null, peer: 'test' };
    try {
      await until(() => node.status().role === 'Leader');
      await node.write(['CREATE TABLE t (id INT PRIMARY KEY)'], caller);
      holding = true;
      const first = node.write(['INSERT INTO t VALUES (1)'], caller);
      await until(() => held !== null);
      const lastBefore = node.inspect().status().lastIndex;
      const second = node.write(['INSERT INTO t VALUES (2)'], caller);
      // The first fsync is still held: the second write was proposed anyway.
      await until(() => node.inspect().status().lastIndex === lastBefore + 1);
      holding = false;
      const release = held as (() => void) | null;
      release?.();
      await Promise.all([first, second]);
      const rows = await node.execute('SELECT count(*) FROM t', caller);
      expect(rows.kind === 'rows' ? Number(rows.rows[0]?.[0]) : -1).toBe(2);
    } finally {
      await node.stop();
    }
  });
});
