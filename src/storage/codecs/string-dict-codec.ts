import { ChronosError } from '../../lib/index.js';
import type { ByteReader, ByteWriter } from '../bytes.js';
import { BitReader, BitWriter, bitWidth } from './bit-io.js';

/**
 * STRING values by a per-block dictionary: varint entry count | entries (length-prefixed UTF-8,
 * in first-seen order) | u8 index width | indexes bit-packed in that width. A block of one
 * device's readings stores its device id once and zero bits per row.
 */
export function writeDictStrings(writer: ByteWriter, values: readonly string[]): void {
  const positions = new Map<string, number>();
  const indexes = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as string;
    let position = positions.get(value);
    if (position === undefined) {
      position = positions.size;
      positions.set(value, position);
    }
    indexes[i] = position;
  }
  writer.varint(positions.size);
  for (const entry of positions.keys()) writer.string(entry);
  const width = bitWidth(Math.max(0, positions.size - 1));
  const bits = new BitWriter(Math.ceil((width * values.length) / 8));
  for (const index of indexes) bits.bits32(index, width);
  writer.u8(width).bytes(bits.finish());
}

/** Read `count` STRING values written by writeDictStrings. */
export function readDictStrings(reader: ByteReader, count: number): string[] {
  const size = reader.varint();
  const entries = new Array<string>(size);
  for (let i = 0; i < size; i++) entries[i] = reader.string();
  const width = reader.u8();
  if (width > 32) throw new ChronosError('CORRUPTION', `dictionary index width ${width}`);
  const bits = new BitReader(reader.bytes(Math.ceil((width * count) / 8)));
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const entry = entries[bits.bits32(width)];
    if (entry === undefined) throw new ChronosError('CORRUPTION', 'dictionary index out of range');
    out[i] = entry;
  }
  return out;
}
