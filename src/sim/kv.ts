import { ChronosError } from '../lib/index.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One replicated write of the simulation's state machine. */
export interface KvCommand {
  readonly key: string;
  readonly value: string;
}

/** Encodes `key=value` (keys never contain '='). */
export function encodeCommand(command: KvCommand): Uint8Array {
  return encoder.encode(`${command.key}=${command.value}`);
}

/** Decodes a command entry; a malformed one means the log was corrupted. */
export function parseCommand(data: Uint8Array): KvCommand {
  const text = decoder.decode(data);
  const at = text.indexOf('=');
  if (at <= 0) throw new ChronosError('CORRUPTION', `sim command "${text}" has no key`);
  return { key: text.slice(0, at), value: text.slice(at + 1) };
}

/** A stable text form of an entry's payload for the checkers. */
export function describePayload(data: Uint8Array): string {
  return decoder.decode(data);
}

/** Serialises the KV map as a snapshot image (sorted, so equal maps give equal bytes). */
export function encodeKv(kv: ReadonlyMap<string, string>): Uint8Array {
  return encoder.encode(JSON.stringify([...kv.entries()].sort(([a], [b]) => (a < b ? -1 : 1))));
}

/** Parses a snapshot image written by encodeKv. */
export function decodeKv(data: Uint8Array): Map<string, string> {
  const parsed: unknown = JSON.parse(decoder.decode(data));
  const kv = new Map<string, string>();
  if (!Array.isArray(parsed)) throw new ChronosError('CORRUPTION', 'sim snapshot is not a list');
  for (const pair of parsed) {
    if (!Array.isArray(pair) || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
      throw new ChronosError('CORRUPTION', 'sim snapshot holds a malformed pair');
    }
    kv.set(pair[0], pair[1]);
  }
  return kv;
}
