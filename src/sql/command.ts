import { ChronosError } from '../lib/index.js';

/** What the leader replicates for a write: statements plus the time it fixed for them. */
export interface WriteCommand {
  readonly statements: readonly string[];
  readonly nowMs: number;
}

const FORMAT_VERSION = 1;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Compact binary form: version u8, nowMs f64, count u32, then (length u32, UTF-8) each. */
export function encodeWriteCommand(command: WriteCommand): Uint8Array {
  const bodies = command.statements.map((s) => encoder.encode(s));
  const size = 1 + 8 + 4 + bodies.reduce((n, b) => n + 4 + b.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out[0] = FORMAT_VERSION;
  view.setFloat64(1, command.nowMs, false);
  view.setUint32(9, bodies.length, false);
  let at = 13;
  for (const b of bodies) {
    view.setUint32(at, b.length, false);
    out.set(b, at + 4);
    at += 4 + b.length;
  }
  return out;
}

function corrupt(what: string): ChronosError {
  return new ChronosError('CORRUPTION', `Corrupt write command: ${what}`);
}

/** Inverse of `encodeWriteCommand`; throws CORRUPTION on malformed bytes. */
export function decodeWriteCommand(bytes: Uint8Array): WriteCommand {
  if (bytes.length < 13) throw corrupt(`${bytes.length} bytes is too short`);
  if (bytes[0] !== FORMAT_VERSION) throw corrupt(`unknown version ${bytes[0]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nowMs = view.getFloat64(1, false);
  const count = view.getUint32(9, false);
  if (count > bytes.length) throw corrupt(`statement count ${count} exceeds the size`);
  const statements: string[] = [];
  let at = 13;
  for (let i = 0; i < count; i++) {
    if (at + 4 > bytes.length) throw corrupt(`truncated at offset ${at}`);
    const length = view.getUint32(at, false);
    if (at + 4 + length > bytes.length) {
      throw corrupt(`statement ${i} overruns the buffer at offset ${at}`);
    }
    try {
      statements.push(decoder.decode(bytes.subarray(at + 4, at + 4 + length)));
    } catch (cause) {
      throw new ChronosError(
        'CORRUPTION',
        `Corrupt write command: bad UTF-8 at offset ${at + 4}`,
        { cause },
      );
    }
    at += 4 + length;
  }
  if (at !== bytes.length) throw corrupt(`${bytes.length - at} trailing bytes`);
  return { statements, nowMs };
}
