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
  const indexes = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as string;
    let position = positions.get(value);
    if (position === undefined) {
      position = positions.size;
      positions.set(value, position);
    }
    indexes[i] = position;
  }
  writeDictionary(writer, [...positions.keys()], indexes);
}

/** A slice of dictionary-coded strings re-coded onto the entries it uses, in first-seen order. */
export interface UsedDictionary {
  readonly entries: string[];
  readonly indexes: Uint32Array;
}

/** Rows [from, to) of `indexes` (into `entries`) as a dictionary of the entries they use. */
export function usedDictionary(entries: readonly string[], indexes: Uint32Array, from: number, to: number): UsedDictionary {
  const local = new Int32Array(entries.length).fill(-1);
  const used: string[] = [];
  const out = new Uint32Array(to - from);
  for (let i = from; i < to; i++) {
    const entry = indexes[i] as number;
    let position = local[entry] as number;
    if (position === undefined) throw new ChronosError('INVALID_ARGUMENT', `dictionary index ${entry} of ${entries.length} entries`);
    if (position < 0) {
      position = used.length;
      local[entry] = position;
      used.push(entries[entry] as string);
    }
    out[i - from] = position;
  }
  return { entries: used, indexes: out };
}

/** Append a dictionary (entries in first-seen order) and its indexes, as writeDictStrings does. */
export function writeDictionary(writer: ByteWriter, entries: readonly string[], indexes: Uint32Array): void {
  writer.varint(entries.length);
  for (const entry of entries) writer.string(entry);
  const width = bitWidth(Math.max(0, entries.length - 1));
  const bits = new BitWriter(Math.ceil((width * indexes.length) / 8));
  for (let i = 0; i < indexes.length; i++) bits.bits32(indexes[i] as number, width);
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
