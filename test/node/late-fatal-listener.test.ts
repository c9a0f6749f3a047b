import { MemoryLevel } from 'memory-level';
import { afterEach, describe, expect, it } from 'vitest';
import { Random, silentLogger, systemScheduler } from '../../src/lib/index.js';
import { RaftNode } from '../../src/node/index.js';
import { openStorage } from '../../src/storage/index.js';
import { DriverNetwork } from '../../src/sim/driver-network.js';
import { SimScheduler } from '../../src/sim/sim-scheduler.js';
import { SimDisk } from '../../src/wal/index.js';
import { TempDirs, untilTurn as until } from '../helpers/one-process.js';

const temp = new TempDirs('chronos-late-fatal-');
afterEach(() => temp.removeAll());

describe('a fatal error of the Raft loop', () => {
  it('reaches a listener that came after it (the CLI registers its own once the node serves)', async () => {
    const disk = new SimDisk();
    const level = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
    const clock = new SimScheduler(); // only its clock: timers are real here
    const network = new DriverNetwork(new Random(1), clock, { dropRate: 0, duplicateRate: 0, delayMinMs: 1, delayMaxMs: 1, tailRate: 0, tailMsMax: 0 });
    const node = await RaftNode.open({
      id: 'n1', nodeDir: temp.make(), address: 'sim-n1', peers: new Map(), tickMs: 100, snapshotEveryEntries: 1_000,
      writeTimeoutMs: 10_000, readTimeoutMs: 10_000, tls: null, peerToken: null, clock, logger: silentLogger,
      ttlCleanupIntervalMs: 0, layout: 'single-node',
      environment: { scheduler: systemScheduler, disk, openStorage: () => openStorage({ level }), connectPeers: () => network.transport('n1', { alive: true }) },
    }, false);
    const caller = { token: null, user: null, peer: 'test' };
    const early: Error[] = [];
    node.onFatal((error) => early.push(error));
    try {
      await until(() => node.status().role === 'Leader');
      disk.failNextSync = true;
      await expect(node.write(['CREATE TABLE t (id INT PRIMARY KEY)'], caller)).rejects.toThrow();
      await until(() => early.length === 1);
      const late: Error[] = [];
      node.onFatal((error) => late.push(error));
      await until(() => late.length === 1);
      expect(late[0]).toBe(early[0]);
    } finally {
      await node.stop();
    }
  });
});
