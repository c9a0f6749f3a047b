import { describe, expect, it } from 'vitest';
import { decodePairs, encodePairs } from '../../src/ingest/pair-codec.js';
import { decodeEntries, encodeEntries } from '../../src/ingest/reading-runs.js';
import { Random } from '../../src/lib/index.js';

describe('pair lists', () => {
  it('round-trip any safe integers, small steps compactly and huge ones exactly', () => {
    const random = new Random(21);
    const starts = [0, 1_733_856_000, 1_733_856_000_000, -5, Number.MAX_SAFE_INTEGER - 10, -Number.MAX_SAFE_INTEGER];
    for (let trial = 0; trial < 500; trial++) {
      const count = random.int(40);
      const pairs = new Float64Array(2 * count);
      let ts = starts[random.int(starts.length)] ?? 0;
      for (let i = 0; i < count; i++) {
        ts = random.int(10) === 0 ? (starts[random.int(starts.length)] ?? 0) : Math.min(Number.MAX_SAFE_INTEGER, ts + random.int(20));
        pairs[2 * i] = ts;
        pairs[2 * i + 1] = random.int(3) === 0 ? 0 - random.int(5) : random.int(1_000_000);
      }
      const bytes = encodePairs(pairs);
      const padded = new Uint8Array(bytes.length + 3);
      padded.set(bytes, 3);
      const { pairs: decoded, end } = decodePairs(padded, 3);
      expect(Array.from(decoded), `trial ${trial}`).toEqual(Array.from(pairs));
      expect(end).toBe(padded.length);
    }
  });

  it('spends a byte or two per regular reading', () => {
    const pairs = Float64Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 1_733_856_000 + 5 * i : i / 2));
    expect(encodePairs(pairs).length).toBeLessThan(1 + 5 + 2 + 100 * 2 + 4);
  });
});

describe('stored runs (encodeEntries)', () => {
  it('round-trip as pair lists whose length is never a multiple of 16, and raw f64 runs of older versions still decode', () => {
    const random = new Random(16);
    let padded = 0;
    for (let trial = 0; trial < 2000; trial++) {
      const count = random.int(60);
      const entries = new Float64Array(2 * count);
      let ts = random.pick([0, 1_733_856_000, -(2 ** 40), Number.MAX_SAFE_INTEGER - 100]);
      for (let i = 0; i < count; i++) {
        ts = Math.min(Number.MAX_SAFE_INTEGER, ts + random.int(random.chance(0.1) ? 2 ** 30 : 5));
        entries[2 * i] = ts;
        entries[2 * i + 1] = random.int(4);
      }
      const stored = encodeEntries(entries);
      expect(stored.length % 16).not.toBe(0);
      if (encodePairs(entries).length % 16 === 0) padded++;
      expect(decodeEntries(stored)).toEqual(entries);
      const raw = new Uint8Array(entries.buffer.slice(0));
      const unaligned = new Uint8Array(raw.length + 1).subarray(1);
      unaligned.set(raw);
      expect(decodeEntries(unaligned)).toEqual(entries);
    }
    expect(padded).toBeGreaterThan(10);
  });
});
