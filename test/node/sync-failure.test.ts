import { describe, expect, it } from 'vitest';
import { describeSyncFailure } from '../../src/node/sync-failure.js';
import { applySyncBatch, encodeSyncOp } from '../../src/sync/index.js';
import { newSession } from '../sql/support.js';

const NOW = 1_765_000_000_000;

/** The target's real refusal of an op stamped `aheadMs` past its clock at NOW. */
async function refusal(aheadMs: number): Promise<unknown> {
  const { session, engine } = await newSession(NOW);
  await session.execute('CREATE TABLE t (k INT PRIMARY KEY, v STRING)');
  const txn = await engine.begin();
  const hlc = { physicalMs: NOW + aheadMs, logical: 3, nodeId: 'edge1' };
  const outcome = await applySyncBatch(txn, { edgeId: 'edge1', nowMs: NOW, ops: [
    { id: 7, data: encodeSyncOp({ kind: 'upsert', hlc, table: 't', columns: ['k', 'v'], row: [1, 'x'] }) }] })
    .then(() => null, (error: unknown) => error);
  await txn.rollback();
  return outcome;
}

/**
 * An op stamped while the edge's clock ran ahead stays refused after the clock is fixed (stamps
 * never go back): the edge must then say so, not repeat the target's "fix the edge's clock".
 */
describe('describeSyncFailure of a future stamp', () => {
  it('while the edge clock is still ahead, passes on the target\'s advice', async () => {
    const failure = describeSyncFailure(await refusal(3_600_000), '10.0.0.10:8000', 5, NOW + 3_600_000);
    expect(failure.cause).toBe('other');
    expect(failure.text).toMatch(/^sync to 10\.0\.0\.10:8000 failed: op 7 is stamped .* 3600000 ms ahead .*fix the edge's clock \(NTP\)$/);
  });

  it('once the edge clock agrees with the target, says the op waits for the wall clock, and how long', async () => {
    const failure = describeSyncFailure(await refusal(3_600_000), '10.0.0.10:8000', 5, NOW + 2_000);
    expect(failure.text).toBe(`sync to 10.0.0.10:8000 refused op 7: it was stamped ${new Date(NOW + 3_600_000).toISOString()}, ` +
      "while this edge's clock ran ahead; the clock agrees with the target's now, but stamps never go back, so this op " +
      "and every later one wait until the target's clock is within 60 s of that stamp (about 59 min); the edge retries by itself");
  });
});
