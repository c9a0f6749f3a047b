import { describe, expect, it } from 'vitest';
import { SyncClient } from '../../src/api/grpc/index.js';
import { isChronosError, Random } from '../../src/lib/index.js';
import { encodeSyncOp, nextStamp, type HlcStamp } from '../../src/sync/index.js';
import { freeNodePort } from '../helpers/ports.js';
import { edgeHarness } from './edge-harness.js';

/**
 * A sync target keeps one cursor per edge and skips op ids at or below it, so a batch whose
 * ids do not ascend would have its lower ids skipped unstored while `applied` told the edge to
 * drop them from its outbox. Such a batch is refused whole (INVALID_ARGUMENT); drawn batches
 * with ids out of order, repeated or ascending, against a real node.
 */
describe('SyncService.Sync op ids', () => {
  const { makeDir, launch, sql, writable } = edgeHarness();

  it('refuses a batch whose ids do not ascend, storing nothing; takes one that ascends (seed 77)', async () => {
    const dir = await makeDir('chronos-sync-ids-');
    const port = await freeNodePort();
    launch({ id: 'cloud', dataDir: dir, port });
    await writable(port);
    await sql(port).execute('CREATE TABLE t (k INT PRIMARY KEY, v STRING)');
    const client = new SyncClient({ address: `127.0.0.1:${port}`, tls: null, token: null });
    const rng = new Random(77);
    let stamp: HlcStamp | null = null;
    let cursor = 0;
    try {
      for (let round = 0; round < 12; round++) {
        const ids: number[] = [];
        for (let id = cursor + rng.between(1, 3), n = rng.between(2, 6); ids.length < n; id += rng.between(1, 3)) ids.push(id);
        const kind = rng.pick(['ascending', 'swapped', 'repeated'] as const);
        if (kind === 'swapped') {
          const at = rng.between(0, ids.length - 2);
          [ids[at], ids[at + 1]] = [ids[at + 1] as number, ids[at] as number];
        } else if (kind === 'repeated') ids[rng.between(1, ids.length - 1)] = ids[0] as number;
        const ops = ids.map((id) => {
          stamp = nextStamp(stamp, Date.now(), 'edge-a');
          return { id: BigInt(id), data: encodeSyncOp({ kind: 'upsert', hlc: stamp, table: 't', columns: ['k', 'v'], row: [id, `v${id}`] }) };
        });
        const before = await sql(port).execute('SELECT count(*) FROM t');
        const outcome = await client.sync('edge-a', ops).then((applied) => applied, (error: unknown) => error);
        const after = await sql(port).execute('SELECT count(*) FROM t');
        if (kind === 'ascending') {
          expect(outcome, `${ids.join(',')}`).toBe(BigInt(ids[ids.length - 1] as number));
          cursor = ids[ids.length - 1] as number;
        } else {
          expect(isChronosError(outcome, 'INVALID_ARGUMENT'), `${kind} ${ids.join(',')}: ${String(outcome)}`).toBe(true);
          expect(after).toEqual(before);
        }
      }
    } finally {
      client.close();
    }
  });
});
