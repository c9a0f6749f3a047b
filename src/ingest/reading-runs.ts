import { assert } from '../lib/index.js';
import { decodePairs, encodePairs } from './pair-codec.js';
import type { ReadingColumns } from './reading-columns.js';

/**
 * The sorted (ts, seq) runs stored-readings.ts keeps per series, as Float64Arrays of pairs
 * [ts, seq, ts, seq, ...] ascending, and the keys they are stored under.
 */
export type RunEntries = Float64Array;

/** Bytes of one (ts, seq) pair in the raw format older versions stored runs in. */
const RAW_PAIR_BYTES = 16;
const RUN = 0x01;
const TAIL = 0x02;
const encoder = new TextEncoder();

/** Orders (ts, seq) pairs. */
export function compare(ts1: number, seq1: number, ts2: number, seq2: number): number {
  return ts1 !== ts2 ? (ts1 < ts2 ? -1 : 1) : seq1 === seq2 ? 0 : seq1 < seq2 ? -1 : 1;
}

/**
 * Merges `pending` (readings as [ts, seq, index] triples, ascending, no repeats) into
 * `entries`: marks `fresh[index] = 1` for each one not there and answers the merged entries,
 * or null when every one was there.
 */
export function mergeEntries(entries: RunEntries, pending: readonly number[], fresh: Uint8Array): RunEntries | null {
  const merged = new Float64Array(entries.length + (pending.length / 3) * 2);
  let out = 0;
  let at = 0;
  let added = 0;
  for (let p = 0; p < pending.length; p += 3) {
    const ts = pending[p] ?? 0;
    const seq = pending[p + 1] ?? 0;
    while (at < entries.length && compare(entries[at] ?? 0, entries[at + 1] ?? 0, ts, seq) < 0) {
      merged[out++] = entries[at++] ?? 0;
      merged[out++] = entries[at++] ?? 0;
    }
    if (at < entries.length && compare(entries[at] ?? 0, entries[at + 1] ?? 0, ts, seq) === 0) continue;
    merged[out++] = ts;
    merged[out++] = seq;
    fresh[pending[p + 2] ?? 0] = 1;
    added += 1;
  }
  if (added === 0) return null;
  merged.set(entries.subarray(at), out);
  return merged.subarray(0, out + entries.length - at);
}

/** Series key prefixes of a batch: each device id and metric name encoded once, not once per series. */
export class SeriesPrefixes {
  readonly #devices: (Uint8Array | undefined)[];
  readonly #metrics: (Uint8Array | undefined)[];
  readonly #readings: ReadingColumns;

  constructor(readings: ReadingColumns) {
    this.#readings = readings;
    this.#devices = new Array<Uint8Array | undefined>(readings.devices.length);
    this.#metrics = new Array<Uint8Array | undefined>(readings.metrics.length);
  }

  /** `u32 bytes | device | u32 bytes | metric` of reading i's series. */
  of(i: number): Uint8Array {
    const d = this.#readings.device[i] ?? 0;
    const m = this.#readings.metric[i] ?? 0;
    const device = this.#devices[d] ?? (this.#devices[d] = encoder.encode(this.#readings.devices[d] ?? ''));
    const metric = this.#metrics[m] ?? (this.#metrics[m] = encoder.encode(this.#readings.metrics[m] ?? ''));
    const out = new Uint8Array(8 + device.length + metric.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, device.length, false);
    out.set(device, 4);
    view.setUint32(4 + device.length, metric.length, false);
    out.set(metric, 8 + device.length);
    return out;
  }
}

/** Key of a series' tail. */
export function tailKey(prefix: Uint8Array): Uint8Array {
  return withSuffix(prefix, TAIL);
}

/** Key of a series' closed run whose last entry is (ts, seq). */
export function runKey(prefix: Uint8Array, ts: number, seq: number): Uint8Array {
  const out = new Uint8Array(prefix.length + 17);
  out.set(prefix);
  out[prefix.length] = RUN;
  const view = new DataView(out.buffer);
  writeOrderedInt(view, prefix.length + 1, ts);
  writeOrderedInt(view, prefix.length + 9, seq);
  return out;
}

/** The series prefix of a run key. */
export function runPrefix(key: Uint8Array): Uint8Array {
  return key.subarray(0, key.length - 17);
}

function withSuffix(prefix: Uint8Array, part: number): Uint8Array {
  const out = new Uint8Array(prefix.length + 1);
  out.set(prefix);
  out[prefix.length] = part;
  return out;
}

/** A safe integer as 8 bytes whose byte order is the numbers' order. */
function writeOrderedInt(view: DataView, at: number, value: number): void {
  const high = Math.floor(value / 0x1_0000_0000);
  view.setUint32(at, (high + 0x8000_0000) >>> 0, false);
  view.setUint32(at + 4, value - high * 0x1_0000_0000, false);
}

/**
 * The stored bytes of a closed run: its pairs delta-coded (pair-codec.ts, a few bytes a pair),
 * padded with one zero byte when that length is a multiple of 16, the length of every run
 * older versions stored as raw little-endian f64 pairs, which still decode.
 */
export function encodeEntries(entries: RunEntries): Uint8Array {
  const coded = encodePairs(entries);
  if (coded.length % RAW_PAIR_BYTES !== 0) return coded;
  const padded = new Uint8Array(coded.length + 1);
  padded.set(coded);
  return padded;
}

/** Entries from stored bytes, in either format encodeEntries describes. */
export function decodeEntries(value: Uint8Array | undefined): RunEntries {
  if (value === undefined || value.length === 0) return new Float64Array(0);
  if (value.length % RAW_PAIR_BYTES !== 0) {
    const { pairs, end } = decodePairs(value, 0);
    assert(end === value.length || (end === value.length - 1 && value[end] === 0),
      `a dedupe run of ${value.length} bytes has ${value.length - end} bytes after its pairs`);
    return pairs;
  }
  // Written by an older version: raw pairs (a copy: stored values need not be 8-byte aligned).
  const copy = new Float64Array(value.length / 8);
  new Uint8Array(copy.buffer).set(value);
  return copy;
}
