import { MemoryLevel } from 'memory-level';
import { afterEach, describe, expect, it } from 'vitest';
import { Random, silentLogger, systemScheduler } from '../../src/lib/index.js';
import { RaftNode } from '../../src/node/index.js';
import { openStorage } from '../../src/storage/index.js';
import { DriverNetwork } from '../../src/sim/driver-network.js';
import { SimScheduler } from '../../src/sim/sim-scheduler.js';
import { SimDisk } from '../../src/wal/index.js';
import { TempDirs, untilTurn as until } from '../helpers/one-process.js';

const temp = new TempDirs('chronos-snapbytes-');
afterEach(() => temp.removeAll());

/** A one-voter node compacting every 1,000,000 entries or every `everyBytes` bytes of entries. */
async function openNode(everyBytes: number): Promise<RaftNode> {
  const nodeDir = temp.make();
  const level = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
  const clock = new SimScheduler();
  const network = new DriverNetwork(new Random(1), clock, { dropRate: 0, duplicateRate: 0, delayMinMs: 1, delayMaxMs: 1, tailRate: 0, tailMsMax: 0 });
  return RaftNode.open({
    id: 'n1', nodeDir, address: 'sim-n1', peers: new Map(), tickMs: 100, snapshotEveryEntries: 1_000_000,
    snapshotEveryBytes: everyBytes, writeTimeoutMs: 10_000, readTimeoutMs: 10_000, tls: null, peerToken: null, clock,
    logger: silentLogger, ttlCleanupIntervalMs: 0, layout: 'single-node',
    environment: { scheduler: systemScheduler, disk: new SimDisk(), openStorage: () => openStorage({ level }),
      connectPeers: () => network.transport('n1', { alive: true }) },
  }, false);
}

/** Writes 40 rows of ~4 KB each (one entry each), then answers the log's first index and the row count. */
async function writeBigRows(node: RaftNode): Promise<{ firstIndex: number; rows: number }> {
  const caller = { token: null, user: null, peer: 'test' };
  await until(() => node.status().role === 'Leader');
  await node.write(['CREATE TABLE t (id INT PRIMARY KEY, body STRING)'], caller);
  for (let id = 0; id < 40; id++) await node.write([`INSERT INTO t VALUES (${id}, '${'x'.repeat(4_000)}')`], caller);
  await until(() => node.inspect().status().appliedIndex === node.inspect().status().lastIndex);
  const result = await node.execute('SELECT count(*) FROM t', caller);
  return { firstIndex: node.inspect().status().firstIndex, rows: result.kind === 'rows' ? Number(result.rows[0]?.[0]) : -1 };
}

describe('log compaction by bytes', () => {
  it('compacts once the entries logged outgrow the byte budget, though few entries were applied', async () => {
    const node = await openNode(50_000);
    try {
      const { firstIndex, rows } = await writeBigRows(node);
      expect(rows).toBe(40);
      // ~160 KB of entries against a 50 KB budget: at least two compactions.
      expect(firstIndex).toBeGreaterThan(20);
    } finally {
      await node.stop();
    }
  });

  it('keeps the log while the entries stay under the budget', async () => {
    const node = await openNode(64 * 1024 * 1024);
    try {
      const { firstIndex, rows } = await writeBigRows(node);
      expect(rows).toBe(40);
      expect(firstIndex).toBe(1);
    } finally {
      await node.stop();
    }
  });
});
