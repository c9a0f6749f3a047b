import { assert } from '../lib/index.js';
import { writeVarint } from './varint.js';

/**
 * (ts, seq) pairs in few bytes, for values rewritten every batch (a series' tail): a u8 mode,
 * a varint pair count, then DELTAS: each ts and seq as the zigzag varint of its difference from
 * the previous pair's (regular timestamps and counting seqs take a byte or two), or RAW: f64s,
 * when a difference is too large to stay exact through zigzag.
 */
const DELTAS = 1;
const RAW = 2;
/** Differences below this stay exact doubled (zigzag) in a double. */
const DELTA_LIMIT = 2 ** 51;

/** Encodes pairs [ts, seq, ts, seq, ...] (safe integers). */
export function encodePairs(pairs: Float64Array): Uint8Array {
  const count = pairs.length / 2;
  if (!deltasFit(pairs)) {
    const out = new Uint8Array(1 + 10 + pairs.byteLength);
    out[0] = RAW;
    const at = writeVarint(out, 1, count);
    const view = new DataView(out.buffer);
    for (let i = 0; i < pairs.length; i++) view.setFloat64(at + 8 * i, pairs[i] ?? 0, true);
    return out.subarray(0, at + pairs.byteLength);
  }
  const out = new Uint8Array(1 + 10 + pairs.length * 8);
  out[0] = DELTAS;
  let at = writeVarint(out, 1, count);
  let previousTs = 0;
  let previousSeq = 0;
  for (let i = 0; i < pairs.length; i += 2) {
    const ts = pairs[i] ?? 0;
    const seq = pairs[i + 1] ?? 0;
    at = writeVarint(out, at, zigzag(ts - previousTs));
    at = writeVarint(out, at, zigzag(seq - previousSeq));
    previousTs = ts;
    previousSeq = seq;
  }
  return out.subarray(0, at);
}

/** Decodes pairs written by encodePairs from `bytes[offset..]`; returns them and the offset after. */
export function decodePairs(bytes: Uint8Array, offset: number): { pairs: Float64Array; end: number } {
  const mode = bytes[offset];
  const count = readVarint(bytes, offset + 1);
  let at = varintEnd;
  const pairs = new Float64Array(2 * count);
  if (mode === RAW) {
    assert(at + pairs.byteLength <= bytes.length, 'a raw pair list runs past its value');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < pairs.length; i++) pairs[i] = view.getFloat64(at + 8 * i, true);
    return { pairs, end: at + pairs.byteLength };
  }
  assert(mode === DELTAS, `unknown pair list mode ${mode ?? '(none)'}`);
  let ts = 0;
  let seq = 0;
  const length = bytes.length;
  for (let i = 0; i < pairs.length; i += 2) {
    // Most differences fit one byte: read those inline.
    let zigzagged = at < length ? (bytes[at] as number) : 0x80;
    if (zigzagged < 0x80) at++;
    else {
      zigzagged = readVarint(bytes, at);
      at = varintEnd;
    }
    ts += unzigzag(zigzagged);
    zigzagged = at < length ? (bytes[at] as number) : 0x80;
    if (zigzagged < 0x80) at++;
    else {
      zigzagged = readVarint(bytes, at);
      at = varintEnd;
    }
    seq += unzigzag(zigzagged);
    pairs[i] = ts;
    pairs[i + 1] = seq;
  }
  return { pairs, end: at };
}

function deltasFit(pairs: Float64Array): boolean {
  let previousTs = 0;
  let previousSeq = 0;
  for (let i = 0; i < pairs.length; i += 2) {
    if (Math.abs((pairs[i] ?? 0) - previousTs) >= DELTA_LIMIT || Math.abs((pairs[i + 1] ?? 0) - previousSeq) >= DELTA_LIMIT) return false;
    previousTs = pairs[i] ?? 0;
    previousSeq = pairs[i + 1] ?? 0;
  }
  return true;
}

function zigzag(value: number): number {
  return value < 0 ? -2 * value - 1 : 2 * value;
}

function unzigzag(value: number): number {
  if (value < 0x8000_0000) return value & 1 ? -((value + 1) >>> 1) : value >>> 1;
  return value % 2 === 1 ? -(value + 1) / 2 : value / 2;
}

/** Where the last readVarint stopped: a tuple per varint cost more than decoding it. */
let varintEnd = 0;

/** Reads a varint at `offset`; the offset after it is left in varintEnd. */
function readVarint(bytes: Uint8Array, offset: number): number {
  let value = 0;
  let scale = 1;
  let at = offset;
  for (;;) {
    assert(at < bytes.length, 'a varint runs past its value');
    const byte = bytes[at++] ?? 0;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      varintEnd = at;
      return value;
    }
    scale *= 0x80;
  }
}
