import { ReadingColumnsBuilder } from './reading-columns.js';
import type { ReadingColumns } from './reading-columns.js';

/**
 * Reads a `POST /ingest` body of the usual shape straight from its bytes into columns: no
 * string of the whole body, no object per payload. Anything unusual (a string escape, a key
 * other than the four, a duplicate key, a metric name that JSON.parse would order first or
 * that secure parsing refuses, an invalid or unsafe number, an empty array, any field error)
 * gives null, and the caller parses the body as JSON and validates it as before
 * (parseIngestBody), so errors and every edge case keep that one definition. Where this
 * answers, it answers what parseIngestBody(JSON.parse(body)) gives (a property test holds it to that).
 */
export function scanIngestBody(bytes: Uint8Array): ReadingColumns | null {
  return new BodyScanner(bytes).body();
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
/** Numbers of up to 15 digits (integer and fraction together) sum to an exact integer in a double. */
const EXACT_DIGITS = 15;

const KEY_DEVICE = 1;
const KEY_TS = 2;
const KEY_SEQ = 4;
const KEY_METRICS = 8;
const KEYS_ALL = KEY_DEVICE | KEY_TS | KEY_SEQ | KEY_METRICS;
const SEQ = Buffer.from('seq');
const METRICS = Buffer.from('metrics');
const DEVICE_ID = Buffer.from('device_id');
/** 10^k for k <= 22: exact doubles. */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/** Thrown inside the scanner when the body is not of the usual shape; never escapes it. */
class Unusual extends Error {}
const UNUSUAL = new Unusual('not the usual ingest body');

class BodyScanner {
  readonly #bytes: Uint8Array;
  readonly #text: Buffer;
  #at = 0;
  readonly #builder: ReadingColumnsBuilder;
  /** The current payload's metrics (dictionary indexes and values), reused from payload to payload. */
  readonly #metricIndexes: number[] = [];
  #metricCount = 0;
  /** Where the last string #string read ends. */
  #stringEnd = 0;
  readonly #values: number[] = [];
  /** Device ids and metric names met in this body, by a hash of their bytes: decoded once. */
  readonly #devices = new NameCache();
  readonly #metricNames = new NameCache();

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#builder = new ReadingColumnsBuilder(Math.max(4, bytes.length >> 5));
  }

  body(): ReadingColumns | null {
    try {
      this.#space();
      if (this.#peek() === OPEN_BRACKET) {
        this.#at++;
        this.#space();
        if (this.#peek() === CLOSE_BRACKET) return null;
        for (;;) {
          this.#payload();
          this.#space();
          const next = this.#next();
          if (next === CLOSE_BRACKET) break;
          if (next !== COMMA) return null;
          this.#space();
        }
      } else {
        this.#payload();
      }
      this.#space();
      return this.#at === this.#bytes.length ? this.#builder.build() : null;
    } catch (error) {
      if (error instanceof Unusual) return null;
      throw error;
    }
  }

  #payload(): void {
    this.#expect(OPEN_BRACE);
    let seen = 0;
    let device = -1;
    let ts = 0;
    let seq = 0;
    this.#metricCount = 0;
    this.#space();
    if (this.#peek() === CLOSE_BRACE) throw UNUSUAL;
    for (;;) {
      const key = this.#payloadKey();
      if ((seen & key) !== 0) throw UNUSUAL;
      seen |= key;
      this.#space();
      this.#expect(COLON);
      this.#space();
      if (key === KEY_DEVICE) device = this.#deviceId();
      else if (key === KEY_TS) ts = this.#safeInteger();
      else if (key === KEY_SEQ) seq = this.#safeInteger();
      else this.#metrics();
      this.#space();
      const next = this.#next();
      if (next === CLOSE_BRACE) break;
      if (next !== COMMA) throw UNUSUAL;
      this.#space();
    }
    if (seen !== KEYS_ALL) throw UNUSUAL;
    for (let i = 0; i < this.#metricCount; i++) {
      this.#builder.push(device, ts, seq, this.#metricIndexes[i] as number, this.#values[i] as number);
    }
  }

  /** One of the four keys of a payload, as its flag. */
  #payloadKey(): number {
    const start = this.#string();
    const end = this.#stringEnd;
    const bytes = this.#bytes;
    switch (end - start) {
      case 2:
        if (bytes[start] === 0x74 && bytes[start + 1] === 0x73) return KEY_TS;
        break;
      case 3:
        if (sameRange(SEQ, bytes, start, end)) return KEY_SEQ;
        break;
      case 7:
        if (sameRange(METRICS, bytes, start, end)) return KEY_METRICS;
        break;
      case 9:
        if (sameRange(DEVICE_ID, bytes, start, end)) return KEY_DEVICE;
        break;
      default:
    }
    throw UNUSUAL;
  }

  #metrics(): void {
    this.#expect(OPEN_BRACE);
    this.#space();
    if (this.#peek() === CLOSE_BRACE) throw UNUSUAL;
    for (;;) {
      const metric = this.#metricName();
      for (let i = 0; i < this.#metricCount; i++) if (this.#metricIndexes[i] === metric) throw UNUSUAL;
      this.#space();
      this.#expect(COLON);
      this.#space();
      const value = this.#number();
      if (!Number.isFinite(value)) throw UNUSUAL;
      this.#metricIndexes[this.#metricCount] = metric;
      this.#values[this.#metricCount] = value;
      this.#metricCount++;
      this.#space();
      const next = this.#next();
      if (next === CLOSE_BRACE) return;
      if (next !== COMMA) throw UNUSUAL;
      this.#space();
    }
  }

  /** The builder's index of a device id (refused: empty). */
  #deviceId(): number {
    const start = this.#string();
    const end = this.#stringEnd;
    if (end === start) throw UNUSUAL;
    const known = this.#devices.find(this.#bytes, start, end);
    if (known >= 0) return known;
    return this.#devices.add(this.#bytes, start, end, this.#builder.deviceOf(this.#text.toString('utf8', start, end)));
  }

  /**
   * The builder's index of a metric name. Refused: empty, starting with a digit (JSON.parse
   * puts integer-like keys first, so the order would differ), starting with '_' or named
   * constructor (what secure parsing may refuse).
   */
  #metricName(): number {
    const start = this.#string();
    const end = this.#stringEnd;
    const first = this.#bytes[start];
    if (first === undefined || end === start || (first >= ZERO && first <= NINE) || first === 0x5f) throw UNUSUAL;
    const known = this.#metricNames.find(this.#bytes, start, end);
    if (known >= 0) return known;
    const name = this.#text.toString('utf8', start, end);
    if (name === 'constructor') throw UNUSUAL;
    return this.#metricNames.add(this.#bytes, start, end, this.#builder.metricOf(name));
  }

  /**
   * Moves past a string without escapes or control characters; returns where its bytes start
   * (they end at #stringEnd).
   */
  #string(): number {
    this.#expect(QUOTE);
    const bytes = this.#bytes;
    const start = this.#at;
    for (let at = start; at < bytes.length; at++) {
      const byte = bytes[at] as number;
      if (byte === QUOTE) {
        this.#at = at + 1;
        this.#stringEnd = at;
        return start;
      }
      if (byte === BACKSLASH || byte < 0x20) throw UNUSUAL;
    }
    throw UNUSUAL;
  }

  #safeInteger(): number {
    const value = this.#number();
    if (!Number.isSafeInteger(value)) throw UNUSUAL;
    return value;
  }

  /** A JSON number (its grammar checked), as JSON.parse reads it. */
  #number(): number {
    const bytes = this.#bytes;
    const start = this.#at;
    let at = start;
    if (bytes[at] === MINUS) at++;
    const digitsStart = at;
    if (bytes[at] === ZERO) at++;
    else if (isDigit(bytes[at])) while (isDigit(bytes[at])) at++;
    else throw UNUSUAL;
    const digitsEnd = at;
    let fractionEnd = at;
    if (bytes[at] === DOT) {
      at++;
      if (!isDigit(bytes[at])) throw UNUSUAL;
      while (isDigit(bytes[at])) at++;
      fractionEnd = at;
    }
    let exponent = false;
    if (bytes[at] === 0x65 || bytes[at] === 0x45) {
      exponent = true;
      at++;
      if (bytes[at] === 0x2b || bytes[at] === MINUS) at++;
      if (!isDigit(bytes[at])) throw UNUSUAL;
      while (isDigit(bytes[at])) at++;
    }
    this.#at = at;
    const fractionDigits = fractionEnd === digitsEnd ? 0 : fractionEnd - digitsEnd - 1;
    if (exponent || digitsEnd - digitsStart + fractionDigits > EXACT_DIGITS) return Number(this.#text.toString('latin1', start, at));
    // All digits as one integer below 2^53, divided by an exact power of ten: one correctly
    // rounded division, the double the decimal text names (as Number() and JSON.parse read it).
    let digits = 0;
    for (let i = digitsStart; i < digitsEnd; i++) digits = digits * 10 + ((bytes[i] as number) - ZERO);
    for (let i = digitsEnd + 1; i < fractionEnd; i++) digits = digits * 10 + ((bytes[i] as number) - ZERO);
    const value = fractionDigits === 0 ? digits : digits / (POWERS_OF_TEN[fractionDigits] as number);
    return bytes[start] === MINUS ? -value : value;
  }

  #space(): void {
    const bytes = this.#bytes;
    let at = this.#at;
    for (;;) {
      const byte = bytes[at];
      if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) break;
      at++;
    }
    this.#at = at;
  }

  #peek(): number | undefined {
    return this.#bytes[this.#at];
  }

  #next(): number | undefined {
    return this.#bytes[this.#at++];
  }

  #expect(byte: number): void {
    if (this.#bytes[this.#at] !== byte) throw UNUSUAL;
    this.#at++;
  }
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= ZERO && byte <= NINE;
}

/**
 * Names (device ids, metric names) of one body by their bytes, each with the index the
 * builder gave it: a body of 2,500 payloads names some hundred devices and two metrics, and
 * decoding each occurrence costs more than hashing and comparing a few bytes.
 */
class NameCache {
  readonly #byHash = new Map<number, { readonly bytes: Uint8Array; readonly index: number }[]>();

  /** The index of the name in source[start, end), or -1. */
  find(source: Uint8Array, start: number, end: number): number {
    const entries = this.#byHash.get(hashOf(source, start, end));
    if (entries !== undefined) {
      for (const entry of entries) if (sameRange(entry.bytes, source, start, end)) return entry.index;
    }
    return -1;
  }

  /** Remembers the name in source[start, end) as `index`; returns it. */
  add(source: Uint8Array, start: number, end: number, index: number): number {
    const hash = hashOf(source, start, end);
    const entry = { bytes: source.slice(start, end), index };
    const entries = this.#byHash.get(hash);
    if (entries === undefined) this.#byHash.set(hash, [entry]);
    else entries.push(entry);
    return index;
  }
}

/** FNV-1a of source[start, end). */
function hashOf(source: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ (source[i] as number), 0x01000193);
  return hash;
}

function sameRange(known: Uint8Array, source: Uint8Array, start: number, end: number): boolean {
  if (known.length !== end - start) return false;
  for (let i = 0; i < known.length; i++) if (known[i] !== source[start + i]) return false;
  return true;
}
