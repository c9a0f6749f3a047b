import { MemoryLevel } from 'memory-level';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, systemScheduler } from '../../src/lib/index.js';
import { LocalNode } from '../../src/node/local-node.js';
import { systemEnvironment } from '../../src/node/node-environment.js';
import { Session } from '../../src/sql/session.js';
import { openStorage } from '../../src/storage/index.js';
import type { StorageEngine, WriteTransaction } from '../../src/storage/index.js';
import { SimDisk } from '../../src/wal/index.js';

/** Storage whose commits take `delayMs` longer, and which says when each one finished. */
function slowCommits(engine: StorageEngine, delayMs: number, finished: number[]): StorageEngine {
  return new Proxy(engine, {
    get(target, property) {
      if (property === 'begin') {
        return async (): Promise<WriteTransaction> => {
          const txn = await target.begin();
          return new Proxy(txn, {
            get(inner, name) {
              if (name === 'commit') {
                return async (...args: Parameters<WriteTransaction['commit']>): Promise<void> => {
                  await new Promise((resolve) => setTimeout(resolve, delayMs));
                  await inner.commit(...args);
                  finished.push(performance.now());
                };
              }
              const value: unknown = Reflect.get(inner, name);
              return typeof value === 'function' ? value.bind(inner) : value;
            },
          });
        };
      }
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const opened: LocalNode[] = [];
afterEach(async () => {
  for (const node of opened.splice(0)) await node.close();
});

describe('a write is answered once executed, while its batch is stored', () => {
  it('a read right after the answer waits for the batch and sees the write', async () => {
    const finished: number[] = [];
    const level = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
    const environment = {
      ...systemEnvironment({ tls: null, peerToken: null, writeTimeoutMs: 60_000, logger: silentLogger }),
      scheduler: systemScheduler,
      disk: new SimDisk(),
      openStorage: async () => slowCommits(await openStorage({ level }), 150, finished),
    };
    const node = await LocalNode.open('/memory/answer-first', { clock: { nowMs: () => 1_700_000_000_000 }, logger: silentLogger, environment });
    opened.push(node);
    const session = new Session(node);
    await session.execute('CREATE TABLE t (id INT PRIMARY KEY, v INT)');
    await session.execute('SELECT COUNT(*) FROM t');
    const storedBefore = finished.length;
    const write = await session.execute('INSERT INTO t VALUES (1, 10)');
    const answeredAt = performance.now();
    expect(write).toMatchObject({ kind: 'message', rowsAffected: 1 });
    // Answered before its batch was stored: the commit takes 150 ms more.
    expect(finished.length).toBe(storedBefore);
    const read = await session.execute('SELECT v FROM t WHERE id = 1');
    expect(read).toMatchObject({ kind: 'rows', rows: [[10]] });
    expect(finished.length).toBeGreaterThan(storedBefore);
    expect((finished[storedBefore] as number)).toBeGreaterThan(answeredAt);
  });
});
