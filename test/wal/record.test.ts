import { describe, expect, it } from 'vitest';
import { RecordWriter } from '../../src/wal/record.js';
import type { WalRecord } from '../../src/wal/record.js';
import { parseSegmentName, scanSegment, segmentFileName } from '../../src/wal/segment.js';
import { entry } from './helpers.js';

const records: WalRecord[] = [
  { kind: 'segment-start', seq: 3, firstIndex: 2 ** 40 + 5 },
  { kind: 'entry', entry: { ...entry(2 ** 40 + 5, 9, 100), type: 'config' } },
  { kind: 'entry', entry: { index: 7, term: 2, type: 'noop', data: new Uint8Array(0) } },
  { kind: 'hard-state', hardState: { term: 9, vote: 'nöde-1', commit: 77 } },
  { kind: 'hard-state', hardState: { term: 0, vote: null, commit: 0 } },
  { kind: 'hard-state', hardState: { term: 3, vote: null, commit: 2, recovering: true } },
  {
    kind: 'snapshot',
    snapshot: { index: 50, term: 4, membership: { voters: ['a', 'b', 'c'] } },
    keepSuffix: true,
  },
  {
    kind: 'snapshot',
    snapshot: { index: 60, term: 5, membership: { voters: ['a', 'b', 'c'], learners: ['d'],
      addresses: { a: '10.0.0.1:8000', b: '10.0.0.2:8001', c: '10.0.0.3:8002', d: '[::1]:8003' } } },
    keepSuffix: false,
  },
];

describe('record framing', () => {
  it('round-trips every record kind through a scan', () => {
    const writer = new RecordWriter();
    for (const record of records) writer.add(record);
    const scan = scanSegment(writer.bytes());
    expect(scan.fault).toBeNull();
    expect(scan.goodLength).toBe(writer.length);
    expect(scan.records.map((r) => r.record)).toEqual(records);
    expect(scan.records[0]?.offset).toBe(0);
  });

  it('grows its buffer across many and large records', () => {
    const writer = new RecordWriter();
    const big: WalRecord[] = [];
    for (let index = 1; index <= 300; index++) {
      big.push({ kind: 'entry', entry: entry(index, 1, 50) });
    }
    big.push({ kind: 'entry', entry: entry(301, 1, 100_000) });
    big.push({ kind: 'hard-state', hardState: { term: 1, vote: 'x'.repeat(5000), commit: 3 } });
    for (const record of big) writer.add(record);
    const scan = scanSegment(writer.bytes());
    expect(scan.fault).toBeNull();
    expect(scan.records.map((r) => r.record)).toEqual(big);
  });

  it('names segments so they sort by sequence and parse back', () => {
    const a = segmentFileName(2, 100);
    const b = segmentFileName(10, 5);
    expect([b, a].sort()).toEqual([a, b]);
    expect(parseSegmentName(a)).toEqual({ seq: 2, firstIndex: 100, name: a });
    expect(parseSegmentName('notes.txt')).toBeNull();
    expect(parseSegmentName(`${a}.tmp`)).toBeNull();
  });
});
