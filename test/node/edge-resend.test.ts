import { describe, expect, it } from 'vitest';
import { EdgeResend } from '../../src/node/edge-resend.js';
import { appendToOutbox } from '../../src/sync/index.js';
import { newSession } from '../sql/support.js';

const NOW = 1_765_000_000_000;

/**
 * While an edge resends its tables to a target that lost them, GetSyncStatus's pendingOps
 * counts what is still to go: a status of 0 pending while 1,000 rows wait would be a lie.
 */
describe('EdgeResend', () => {
  it('counts every op it will ship up front, and what remains as batches are acknowledged', async () => {
    const edge = await newSession(NOW);
    await edge.session.execute('CREATE TABLE kv (k INT PRIMARY KEY, v STRING)');
    await edge.session.execute('CREATE INDEX kv_v ON kv (v)');
    await edge.session.execute('CREATE TABLE log (n INT)');
    const values = (n: number, row: (i: number) => string): string => Array.from({ length: n }, (_, i) => row(i)).join(', ');
    await edge.session.execute(`INSERT INTO kv VALUES ${values(700, (i) => `(${i}, 'v${i}')`)}`);
    await edge.session.execute(`INSERT INTO log VALUES ${values(550, (i) => `(${i})`)}`);
    // An edge's outbox: one op queued after the rows, so the resend has a stamp below it.
    const txn = await edge.engine.begin();
    await appendToOutbox(txn, [{ kind: 'upsert', hlc: { physicalMs: NOW, logical: 1, nodeId: 'edge1' },
      table: 'kv', columns: ['k', 'v'], row: [1n, 'queued'] }], NOW);
    await txn.commit(edge.engine.appliedIndex + 1);
    const ceiling = 1_000_000;
    const resend = await EdgeResend.open(await edge.engine.reader(), 'edge1', 10, ceiling);
    if (resend === null) throw new Error('a resend of two tables');
    // kv: CREATE TABLE, CREATE INDEX, 700 rows; log: CREATE TABLE, 550 rows; the closing op.
    const total = 2 + 700 + 1 + 550 + 1;
    expect(resend.remaining).toBe(total);
    let shipped = 0;
    for (let round = 0; round < 10 && !resend.done; round += 1) {
      const batch = await resend.batch(300);
      shipped += batch.length;
      // The target's answer lost once: nothing counts as sent until it holds the batch.
      resend.acknowledge((batch[0]?.id ?? 0) - 1);
      expect(resend.remaining).toBe(total - (shipped - batch.length));
      resend.acknowledge(batch.at(-1)?.id ?? 0);
      expect(resend.remaining).toBe(total - shipped);
    }
    expect(resend.done).toBe(true);
    expect(shipped).toBe(total);
    expect(resend.remaining).toBe(0);
    await resend.close();
  });
});
