import { MemoryLevel } from 'memory-level';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, systemScheduler } from '../../src/lib/index.js';
import { LocalNode } from '../../src/node/local-node.js';
import { systemEnvironment } from '../../src/node/node-environment.js';
import { Session } from '../../src/sql/session.js';
import { INDEX_BUILD_ROWS_PER_PASS, anyIndexBuilding, openStorage } from '../../src/storage/index.js';
import { SimDisk } from '../../src/wal/index.js';

const opened: LocalNode[] = [];
afterEach(async () => {
  for (const node of opened.splice(0)) await node.close();
});

async function openMemoryNode(): Promise<LocalNode> {
  const level = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
  const environment = {
    ...systemEnvironment({ tls: null, peerToken: null, writeTimeoutMs: 60_000, logger: silentLogger }),
    scheduler: systemScheduler,
    disk: new SimDisk(),
    openStorage: () => openStorage({ level }),
  };
  const node = await LocalNode.open('/memory/local-index', { clock: { nowMs: () => 1_700_000_000_000 }, logger: silentLogger, environment });
  opened.push(node);
  return node;
}

describe('CREATE INDEX on a single node', () => {
  it('builds an index of more rows than one pass before it answers, and says only that it was created', async () => {
    const node = await openMemoryNode();
    const session = new Session(node);
    await session.execute('CREATE TABLE t (id INT PRIMARY KEY, g INT)');
    const rows = 2 * INDEX_BUILD_ROWS_PER_PASS + 123;
    for (let first = 0; first < rows; first += 1_000) {
      const values = [];
      for (let id = first; id < Math.min(rows, first + 1_000); id += 1) values.push(`(${id}, ${id % 7})`);
      await session.execute(`INSERT INTO t VALUES ${values.join(', ')}`);
    }
    const created = await session.execute('CREATE INDEX by_g ON t (g)');
    expect(created).toEqual({ kind: 'message', message: 'Index by_g created', rowsAffected: 0 });
    expect(anyIndexBuilding(node.storage.catalog.tables())).toBe(false);
    const counted = await session.execute('SELECT COUNT(*) FROM t WHERE g = 3');
    expect(counted).toMatchObject({ kind: 'rows', rows: [[Math.floor((rows - 4) / 7) + 1]] });
  });
});
