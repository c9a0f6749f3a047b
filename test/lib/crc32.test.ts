import { describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/random.js';
import { crc32, crc32Update } from '../../src/lib/crc32.js';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('crc32', () => {
  it('matches the published check values', () => {
    expect(crc32(ascii(''))).toBe(0);
    expect(crc32(ascii('a'))).toBe(0xe8b7be43);
    expect(crc32(ascii('123456789'))).toBe(0xcbf43926);
    expect(crc32(ascii('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
    expect(crc32(new Uint8Array(32))).toBe(0x190a55ad);
    expect(crc32(new Uint8Array(32).fill(0xff))).toBe(0xff6cab0b);
  });

  it('chains and honours ranges', () => {
    const bytes = ascii('xx123456789yy');
    expect(crc32(bytes, 2, 11)).toBe(0xcbf43926);
    const first = crc32Update(0, bytes, 2, 6);
    expect(crc32Update(first, bytes, 6, 11)).toBe(0xcbf43926);
  });

  it('agrees with a bit-at-a-time reference on random ranges', () => {
    const random = new Random(99);
    for (let trial = 0; trial < 300; trial++) {
      const bytes = new Uint8Array(random.int(100));
      for (let i = 0; i < bytes.length; i++) bytes[i] = random.int(256);
      const start = random.int(bytes.length + 1);
      const end = start + random.int(bytes.length - start + 1);
      expect(crc32(bytes, start, end)).toBe(bitwiseCrc32(bytes.subarray(start, end)));
    }
  });
});

/** The definition, one bit at a time: slow and obviously right. */
function bitwiseCrc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
