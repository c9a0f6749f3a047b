import { MemoryLevel } from 'memory-level';
import { afterEach, describe, expect, it } from 'vitest';
import { isChronosError, Random, silentLogger, systemScheduler } from '../../src/lib/index.js';
import { RaftNode } from '../../src/node/index.js';
import { ProposalTracker } from '../../src/node/proposal-tracker.js';
import { openStorage } from '../../src/storage/index.js';
import { DriverNetwork } from '../../src/sim/driver-network.js';
import { SimScheduler } from '../../src/sim/sim-scheduler.js';
import { SimDisk } from '../../src/wal/index.js';
import { TempDirs, untilTurn as until } from '../helpers/one-process.js';

/**
 * A write whose deadline passes while its entry is committed but still being applied (a long
 * statement) says so: "no quorum?" sent a single-node user after a quorum they always had.
 */
const temp = new TempDirs('chronos-slowapply-');
afterEach(() => temp.removeAll());

async function openNode(writeTimeoutMs: number): Promise<RaftNode> {
  const level = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
  const clock = new SimScheduler();
  const network = new DriverNetwork(new Random(1), clock, { dropRate: 0, duplicateRate: 0, delayMinMs: 1, delayMaxMs: 1, tailRate: 0, tailMsMax: 0 });
  return RaftNode.open({
    id: 'n1', nodeDir: temp.make(), address: 'sim-n1', peers: new Map(), tickMs: 100, snapshotEveryEntries: 1_000_000,
    writeTimeoutMs, readTimeoutMs: 60_000, tls: null, peerToken: null, clock,
    logger: silentLogger, ttlCleanupIntervalMs: 0, layout: 'single-node',
    environment: { scheduler: systemScheduler, disk: new SimDisk(), openStorage: () => openStorage({ level }),
      connectPeers: () => network.transport('n1', { alive: true }) },
  }, false);
}

describe('a write past its deadline', () => {
  it('committed and still being applied: says so, and takes effect', async () => {
    const node = await openNode(150);
    try {
      const caller = { token: null, user: null, peer: 'test' };
      await until(() => node.status().role === 'Leader');
      await node.write(['CREATE TABLE t (id INT PRIMARY KEY)'], caller).catch(() => undefined);
      await until(() => node.inspect().status().appliedIndex === node.inspect().status().lastIndex);
      const failure = await node.write(['INSERT INTO t SELECT g FROM generate_series(1, 200000) g'], caller).then(
        () => null, (error: unknown) => error);
      expect(isChronosError(failure) && failure.code).toBe('OUTCOME_UNKNOWN');
      expect((failure as Error).message).toMatch(/committed \(log index \d+\) but still being applied after 150 ms; it takes effect unless the statement fails/);
      expect((failure as Error).message).not.toContain('no quorum');
      await until(() => node.inspect().status().appliedIndex === node.inspect().status().lastIndex);
      const result = await node.execute('SELECT count(*) FROM t', caller);
      expect(result.kind === 'rows' && result.rows).toEqual([[200000]]);
    } finally {
      await node.stop();
    }
  });

  it('not known committed: may lack a quorum', async () => {
    const tracker = new ProposalTracker<number>(systemScheduler, (index) => index <= 4);
    const uncommitted = tracker.wait(5, 2, 1).catch((error: Error) => error.message);
    const committed = tracker.wait(4, 2, 1).catch((error: Error) => error.message);
    expect(await uncommitted).toMatch(/write not acknowledged within 1 ms \(no quorum\?\)/);
    expect(await committed).toMatch(/committed \(log index 4\) but still being applied/);
  });
});
