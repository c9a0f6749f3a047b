import { ChronosError } from '../../lib/index.js';
import type { ByteReader, ByteWriter } from '../bytes.js';
import type { SqlValue } from '../values.js';
import { compareUtf8 } from './column-summary.js';

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

/**
 * The least and greatest joined value of rows [0, count) in UTF-8 byte order, as summarize
 * would find them over joinParts' strings, mostly without building them: part by part, only
 * the rows whose text ties for the extreme so far stay candidates. That is exact while the
 * extreme text plus separator is no proper prefix of another candidate's (for the least) and
 * has none (for the greatest), and no text holds a surrogate (whose UTF-8 order differs);
 * otherwise the remaining candidates' strings are built and compared whole.
 */
export function joinedBounds(parts: readonly PartText[], separator: string, count: number): { min: string; max: string } | undefined {
  if (count === 0) return undefined;
  return { min: joinedExtreme(parts, separator, count, -1), max: joinedExtreme(parts, separator, count, 1) };
}

const SURROGATE = /[\ud800-\udfff]/;

/** Whether `text` holds a UTF-16 surrogate (its UTF-8 order, or its bytes when split, differ). */
export function hasSurrogate(text: string): boolean {
  return SURROGATE.test(text);
}

function joinedExtreme(parts: readonly PartText[], separator: string, count: number, direction: -1 | 1): string {
  let candidates: number[] | null = null;
  let prefix = '';
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p] as PartText;
    const suffix = p === parts.length - 1 ? '' : separator;
    const texts = new Set<string>();
    const rows = candidates ?? null;
    const total = rows === null ? count : rows.length;
    let previous: string | null = null;
    for (let i = 0; i < total; i++) {
      const text = part(rows === null ? i : (rows[i] as number));
      if (text !== previous) texts.add(text);
      previous = text;
    }
    const best = extremeOf(texts, suffix, direction);
    if (best === null) return wholeExtreme(parts, separator, rows, count, direction);
    const next: number[] = [];
    for (let i = 0; i < total; i++) {
      const row = rows === null ? i : (rows[i] as number);
      if (part(row) === best) next.push(row);
    }
    candidates = next;
    prefix += best + suffix;
  }
  return prefix;
}

/** The extreme text, or null when a prefix or a surrogate makes texts alone undecisive. */
function extremeOf(texts: Set<string>, suffix: string, direction: -1 | 1): string | null {
  let best: string | null = null;
  for (const text of texts) {
    if (hasSurrogate(text) || hasSurrogate(suffix)) return null;
    if (best === null || Math.sign(compareUtf8(text + suffix, best + suffix)) === direction) best = text;
  }
  const key = `${best as string}${suffix}`;
  for (const text of texts) {
    if (text === best) continue;
    const other = text + suffix;
    if (direction < 0 ? other.startsWith(key) : key.startsWith(other)) return null;
  }
  return best;
}

function wholeExtreme(parts: readonly PartText[], separator: string, rows: readonly number[] | null, count: number,
  direction: -1 | 1): string {
  const total = rows === null ? count : rows.length;
  const texts = new Array<string>(parts.length);
  let best: string | null = null;
  for (let i = 0; i < total; i++) {
    const row = rows === null ? i : (rows[i] as number);
    for (let p = 0; p < parts.length; p++) texts[p] = (parts[p] as PartText)(row);
    const joined = texts.join(separator);
    if (best === null || Math.sign(compareUtf8(joined, best)) === direction) best = joined;
  }
  return best as string;
}
