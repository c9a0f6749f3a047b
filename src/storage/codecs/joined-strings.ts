import { ChronosError } from '../../lib/index.js';
import type { ByteReader, ByteWriter } from '../bytes.js';
import type { SqlValue } from '../values.js';

/**
 * A STRING column whose every value is other columns of the same row joined by a separator
 * (ingest's reading_id is `device_id:ts:seq:metric`): the block stores which columns and the
 * separator, not the strings, which are the largest and priciest column to encode otherwise.
 *   string separator | varint part count | varint column position per part
 * Parts are STRING or INT columns without NULL in the block; an INT part is written in
 * decimal as String() writes it.
 */
export interface JoinedSpec {
  readonly parts: readonly number[];
  readonly separator: string;
}

/** Append a spec. */
export function writeJoinedSpec(writer: ByteWriter, spec: JoinedSpec): void {
  writer.string(spec.separator).varint(spec.parts.length);
  for (const part of spec.parts) writer.varint(part);
}

/** Read a spec written by writeJoinedSpec (the block checks the part positions). */
export function readJoinedSpec(reader: ByteReader): JoinedSpec {
  const separator = reader.string();
  const count = reader.varint();
  const parts = new Array<number>(count);
  for (let i = 0; i < count; i++) parts[i] = reader.varint();
  return { parts, separator };
}

/** Row `row` of a part: its decimal or string form. */
export type PartText = (row: number) => string;

/** The part's text per row, from dense values (strings, numbers, bigints; no NULL). */
export function partTextOf(values: ArrayLike<SqlValue>, what: string): PartText {
  return (row) => {
    const value = values[row];
    if (value === null || value === undefined || typeof value === 'boolean') {
      throw new ChronosError('CORRUPTION', `joined column part ${what} has no value at row ${row}`);
    }
    return typeof value === 'string' ? value : String(value);
  };
}

/** The joined values of rows [0, count). */
export function joinParts(parts: readonly PartText[], separator: string, count: number): string[] {
  const out = new Array<string>(count);
  // Array.join makes flat strings; `+=` would make rope strings that every later comparison
  // (the block's min/max) flattens first.
  const texts = new Array<string>(parts.length);
  for (let row = 0; row < count; row++) {
    for (let p = 0; p < parts.length; p++) texts[p] = (parts[p] as PartText)(row);
    out[row] = texts.join(separator);
  }
  return out;
}
