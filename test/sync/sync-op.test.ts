import { describe, expect, it } from 'vitest';
import { compareHlc, decodeSyncOp, encodeSyncOp, type SyncOp } from '../../src/sync/index.js';

const hlc = { physicalMs: 1_765_127_479_252, logical: 3, nodeId: 'edge1' };

describe('sync ops on the wire', () => {
  it('round-trips every kind, including int64 beyond 2^53 and non-finite floats', () => {
    const ops: SyncOp[] = [
      { kind: 'upsert', hlc, table: 'sensors', columns: ['id', 'big', 'f', 'ok', 'note'],
        row: [1, 9_223_372_036_854_775_807n, Number.NaN, true, null] },
      { kind: 'delete', hlc, table: 'sensors', keyColumns: ['id'], key: [-Infinity] },
      { kind: 'append', hlc, table: 'log', columns: ['msg'], row: ['héllo'] },
      { kind: 'ddl', hlc, sql: 'CREATE TABLE log (msg STRING)' },
    ];
    for (const op of ops) expect(decodeSyncOp(encodeSyncOp(op), 'op 1')).toEqual(op);
  });

  it('refuses malformed data naming the op', () => {
    const bytes = new TextEncoder().encode('{"v":1,"kind":"upsert","hlc":{"physicalMs":1,"logical":0,"nodeId":"e"},"table":"t","columns":["a"],"row":[]}');
    expect(() => decodeSyncOp(bytes, 'op 9')).toThrow(/op 9 does not match its columns/);
    expect(() => decodeSyncOp(new Uint8Array([1, 2]), 'op 2')).toThrow(/op 2 is not JSON/);
  });

  it('orders stamps by time, then counter, then node id', () => {
    const stamps = [
      { physicalMs: 5, logical: 0, nodeId: 'b' }, { physicalMs: 4, logical: 9, nodeId: 'z' },
      { physicalMs: 5, logical: 0, nodeId: 'a' }, { physicalMs: 5, logical: 1, nodeId: 'a' },
    ];
    expect([...stamps].sort(compareHlc).map((s) => `${s.physicalMs}.${s.logical}${s.nodeId}`))
      .toEqual(['4.9z', '5.0a', '5.0b', '5.1a']);
  });
});
