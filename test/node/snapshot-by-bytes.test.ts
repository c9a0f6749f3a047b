import { MemoryLevel } from 'memory-level';
import { afterEach, describe, expect, it } from 'vitest';
import { Logger, Random, systemScheduler } from '../../src/lib/index.js';
import type { LogRecord } from '../../src/lib/index.js';
import { RaftNode } from '../../src/node/index.js';
import type { NodeLayout } from '../../src/node/restore.js';
import { openStorage } from '../../src/storage/index.js';
import { DriverNetwork } from '../../src/sim/driver-network.js';
import { SimScheduler } from '../../src/sim/sim-scheduler.js';
import { SimDisk } from '../../src/wal/index.js';
import { TempDirs, untilTurn as until } from '../helpers/one-process.js';

const temp = new TempDirs('chronos-snapbytes-');
afterEach(() => temp.removeAll());

/** A one-voter node compacting every 1,000,000 entries or by `everyBytes`; `records` gets its log. */
async function openNode(everyBytes: number, layout: NodeLayout, records: LogRecord[]): Promise<RaftNode> {
  const level = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
  const clock = new SimScheduler();
  const network = new DriverNetwork(new Random(1), clock, { dropRate: 0, duplicateRate: 0, delayMinMs: 1, delayMaxMs: 1, tailRate: 0, tailMsMax: 0 });
  return RaftNode.open({
    id: 'n1', nodeDir: temp.make(), address: 'sim-n1', peers: new Map(), tickMs: 100, snapshotEveryEntries: 1_000_000,
    snapshotEveryBytes: everyBytes, writeTimeoutMs: 10_000, readTimeoutMs: 10_000, tls: null, peerToken: null, clock,
    logger: new Logger({ sinks: [{ write: (record) => records.push(record) }], level: 'info' }), ttlCleanupIntervalMs: 0, layout,
    environment: { scheduler: systemScheduler, disk: new SimDisk(), openStorage: () => openStorage({ level }),
      connectPeers: () => network.transport('n1', { alive: true }) },
  }, false);
}

/** Writes 40 rows of ~4 KB each (one entry each); answers the log's first index, the rows and the compactions. */
async function writeBigRows(everyBytes: number, layout: NodeLayout): Promise<{ firstIndex: number; rows: number; compactions: number }> {
  const records: LogRecord[] = [];
  const node = await openNode(everyBytes, layout, records);
  try {
    const caller = { token: null, user: null, peer: 'test' };
    await until(() => node.status().role === 'Leader');
    await node.write(['CREATE TABLE t (id INT PRIMARY KEY, body STRING)'], caller);
    for (let id = 0; id < 40; id++) await node.write([`INSERT INTO t VALUES (${id}, '${'x'.repeat(4_000)}')`], caller);
    await until(() => node.inspect().status().appliedIndex === node.inspect().status().lastIndex);
    const result = await node.execute('SELECT count(*) FROM t', caller);
    return {
      firstIndex: node.inspect().status().firstIndex,
      rows: result.kind === 'rows' ? Number(result.rows[0]?.[0]) : -1,
      compactions: records.filter((record) => record.message === 'log compacted').length,
    };
  } finally {
    await node.stop();
  }
}

describe('log compaction by bytes', () => {
  it('compacts once the entries logged outgrow the byte budget, though few entries were applied', async () => {
    const { firstIndex, rows } = await writeBigRows(50_000, 'single-node');
    expect(rows).toBe(40);
    // ~160 KB of entries against a 50 KB budget: at least two compactions.
    expect(firstIndex).toBeGreaterThan(20);
  });

  it('keeps the log while the entries stay under the budget', async () => {
    const { firstIndex, rows } = await writeBigRows(64 * 1024 * 1024, 'single-node');
    expect(rows).toBe(40);
    expect(firstIndex).toBe(1);
  });

  it('waits for as many bytes as the last exported image holds, so exports stay proportional to what was logged', async () => {
    // A 1-byte budget: only the image size spaces the compactions out; it grows by ~4 KB a row,
    // so each compaction waits for about as many rows as the table already has (doubling).
    const { rows, compactions } = await writeBigRows(1, 'node');
    expect(rows).toBe(40);
    expect(compactions).toBeGreaterThan(2);
    expect(compactions).toBeLessThan(12);
  });
});
