import type { ByteReader, ByteWriter } from '../bytes.js';

/**
 * One bit per item, least significant bit first in each byte: BOOLEAN values (1 = true) and
 * per-column null bitmaps (1 = NULL).
 */
export function writeBitmap(writer: ByteWriter, flags: ArrayLike<boolean>): void {
  const bytes = new Uint8Array(Math.ceil(flags.length / 8));
  for (let i = 0; i < flags.length; i++) {
    if (flags[i] === true) bytes[i >>> 3] = (bytes[i >>> 3] as number) | (1 << (i & 7));
  }
  writer.bytes(bytes);
}

/** Read `count` bits written by writeBitmap. */
export function readBitmap(reader: ByteReader, count: number): boolean[] {
  const bytes = reader.bytes(Math.ceil(count / 8));
  const out = new Array<boolean>(count);
  for (let i = 0; i < count; i++) out[i] = (((bytes[i >>> 3] as number) >>> (i & 7)) & 1) === 1;
  return out;
}
