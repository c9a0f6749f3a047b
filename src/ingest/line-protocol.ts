import { ChronosError } from '../lib/index.js';
import { canonicalInt, INT64_MAX, INT64_MIN } from '../storage/index.js';
import { SERIES_COLUMN, TIME_COLUMN } from './point.js';
import type { FieldValue, Point } from './point.js';
import { BACKSLASH, COMMA, EQUALS, HASH, QUOTE, SPACE } from './line-characters.js';

/** How to read one request's lines: the unit of its timestamps and the time of a point without one. */
export interface LineContext {
  readonly nanosPerUnit: bigint;
  /** The receiving node's clock when the request came: the time of points that carry none. */
  readonly defaultTimeNs: bigint;
}

/** Each digit has one place, so a long field that is no number fails in linear time, not quadratic. */
const FLOAT = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^-?\d+i$/;
const UNSIGNED = /^\d+u$/;
const TIMESTAMP = /^-?\d+$/;
const TRUE_WORDS = new Set(['t', 'T', 'true', 'True', 'TRUE']);
const FALSE_WORDS = new Set(['f', 'F', 'false', 'False', 'FALSE']);

/** Why a line could not be read; the caller adds the line number and text. */
class LineError extends Error {}

/**
 * The point of one line of InfluxDB line protocol, or null for a blank line or a `#` comment:
 * `measurement[,tag=value...] field=value[,field=value...] [timestamp]`. INVALID_ARGUMENT
 * names the line (1-based `lineNumber`) and what is wrong with it.
 */
export function parseLine(line: string, lineNumber: number, context: LineContext): Point | null {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  let start = 0;
  while (start < text.length && (text.charCodeAt(start) === SPACE || text[start] === '\t')) start += 1;
  if (start === text.length || text.charCodeAt(start) === HASH) return null;
  try {
    return new LineReader(text, start).point(context);
  } catch (error) {
    if (!(error instanceof LineError)) throw error;
    const shown = text.length > 120 ? `${text.slice(0, 117)}...` : text;
    throw new ChronosError('INVALID_ARGUMENT', `line ${lineNumber}: ${error.message}: ${JSON.stringify(shown)}`,
      { details: { line: lineNumber } });
  }
}

/** Reads one line left to right; every method consumes what it read. */
class LineReader {
  readonly #text: string;
  #at: number;

  constructor(text: string, start: number) {
    this.#text = text;
    this.#at = start;
  }

  point(context: LineContext): Point {
    const measurement = this.#name('measurement', [COMMA, SPACE]).toLowerCase();
    const tags = this.#tags();
    this.#spaces('a field set after the measurement and tags');
    const fields = this.#fields();
    const timeNs = this.#timestamp(context);
    const tagNames = new Set(tags.map(([key]) => key));
    for (const [key] of fields) {
      if (tagNames.has(key)) throw new LineError(`${key} is both a tag and a field`);
    }
    return { measurement, tags, fields, timeNs };
  }

  #tags(): [string, string][] {
    const tags: [string, string][] = [];
    const written = new Map<string, string>();
    while (this.#text.charCodeAt(this.#at) === COMMA) {
      this.#at += 1;
      const start = this.#at;
      const key = this.#key('tag key');
      const asWritten = this.#text.slice(start, this.#at - 1);
      const value = this.#name(`value of tag ${key}`, [COMMA, SPACE]);
      const earlier = written.get(key);
      if (earlier !== undefined) {
        throw new LineError(earlier === asWritten ? `tag ${key} appears twice`
          : `tag keys ${earlier} and ${asWritten} are one column ${key} (column names ignore case)`);
      }
      written.set(key, asWritten);
      tags.push([key, value]);
    }
    return tags.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /**
   * The fields; a key written twice keeps its last value, as InfluxDB does, unless the two
   * differ in type (InfluxDB refuses those) or only in case (InfluxDB keeps both, but they are
   * one column here, and the first would be lost without a word).
   */
  #fields(): [string, FieldValue][] {
    const fields = new Map<string, { readonly value: FieldValue; readonly written: string }>();
    for (;;) {
      const start = this.#at;
      const key = this.#key('field key');
      const written = this.#text.slice(start, this.#at - 1);
      const value = this.#fieldValue(key);
      const earlier = fields.get(key);
      if (earlier !== undefined && earlier.written !== written) {
        throw new LineError(`field keys ${earlier.written} and ${written} are one column ${key} (column names ignore case)`);
      }
      if (earlier !== undefined && earlier.value.type !== value.type) {
        throw new LineError(`field ${key} appears twice, as ${earlier.value.type} and as ${value.type}`);
      }
      fields.set(key, { value, written });
      if (this.#text.charCodeAt(this.#at) !== COMMA) break;
      this.#at += 1;
    }
    return [...fields].map(([key, field]) => [key, field.value]);
  }

  /** A tag or field key up to its `=`, lower-cased as a column name. */
  #key(what: string): string {
    const key = this.#name(what, [EQUALS, COMMA, SPACE]).toLowerCase();
    if (this.#text.charCodeAt(this.#at) !== EQUALS) throw new LineError(`${what} ${key} has no =value`);
    this.#at += 1;
    if (key === SERIES_COLUMN || key === TIME_COLUMN) {
      throw new LineError(`${key} is a reserved column name (every measurement table has series and ts)`);
    }
    return key;
  }

  /** An escaped name up to one of `stops` (`\` escapes a stop character or a space). */
  #name(what: string, stops: readonly number[]): string {
    const text = this.#text;
    let out = '';
    let from = this.#at;
    let i = this.#at;
    for (; i < text.length; i += 1) {
      const c = text.charCodeAt(i);
      if (c === BACKSLASH && i + 1 < text.length) {
        const next = text.charCodeAt(i + 1);
        if (next === COMMA || next === SPACE || next === EQUALS) {
          out += text.slice(from, i);
          from = i + 1;
          i += 1;
        }
        continue;
      }
      if (stops.includes(c)) break;
    }
    out += text.slice(from, i);
    this.#at = i;
    if (out === '') throw new LineError(`missing ${what}`);
    return out;
  }

  #fieldValue(key: string): FieldValue {
    if (this.#text.charCodeAt(this.#at) === QUOTE) return { type: 'STRING', value: this.#quoted(key) };
    const start = this.#at;
    let end = start;
    while (end < this.#text.length && this.#text.charCodeAt(end) !== COMMA && this.#text.charCodeAt(end) !== SPACE) end += 1;
    this.#at = end;
    return fieldValueOf(key, this.#text.slice(start, end));
  }

  /** A string field: `"..."` where `\"` and `\\` are escapes and any other `\` is itself. */
  #quoted(key: string): string {
    const text = this.#text;
    let out = '';
    let from = this.#at + 1;
    for (let i = from; i < text.length; i += 1) {
      const c = text.charCodeAt(i);
      if (c === BACKSLASH && (text.charCodeAt(i + 1) === QUOTE || text.charCodeAt(i + 1) === BACKSLASH)) {
        out += text.slice(from, i);
        from = i + 1;
        i += 1;
      } else if (c === QUOTE) {
        this.#at = i + 1;
        return out + text.slice(from, i);
      }
    }
    throw new LineError(`the string value of field ${key} has no closing quote`);
  }

  #timestamp(context: LineContext): bigint {
    if (this.#at >= this.#text.length) return context.defaultTimeNs;
    this.#spaces('a space before the timestamp');
    const rest = this.#text.slice(this.#at).trimEnd();
    if (rest === '') return context.defaultTimeNs;
    if (!TIMESTAMP.test(rest)) throw new LineError(`bad timestamp ${JSON.stringify(rest)} (an integer is expected)`);
    const timeNs = BigInt(rest) * context.nanosPerUnit;
    if (timeNs < INT64_MIN || timeNs > INT64_MAX) throw new LineError(`timestamp ${rest} is out of range`);
    return timeNs;
  }

  #spaces(what: string): void {
    if (this.#text.charCodeAt(this.#at) !== SPACE) throw new LineError(`expected ${what}`);
    while (this.#text.charCodeAt(this.#at) === SPACE) this.#at += 1;
  }
}

/** An unquoted field value: float, `i` integer, `u` unsigned, or boolean. */
function fieldValueOf(key: string, raw: string): FieldValue {
  if (raw === '') throw new LineError(`field ${key} has no value`);
  if (FLOAT.test(raw)) {
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new LineError(`field ${key}: ${raw} is out of the FLOAT range`);
    return { type: 'FLOAT', value };
  }
  if (INTEGER.test(raw) || UNSIGNED.test(raw)) {
    const value = BigInt(raw.slice(0, -1));
    if (value < INT64_MIN || value > INT64_MAX) throw new LineError(`field ${key}: ${raw} does not fit a 64-bit INT`);
    return { type: 'INT', value: canonicalInt(value) };
  }
  if (TRUE_WORDS.has(raw)) return { type: 'BOOLEAN', value: true };
  if (FALSE_WORDS.has(raw)) return { type: 'BOOLEAN', value: false };
  throw new LineError(`field ${key} has an invalid value ${raw} (numbers, 1i integers, true/false, or "quoted strings")`);
}
