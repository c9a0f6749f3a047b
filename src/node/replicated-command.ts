import { assertNever, ChronosError } from '../lib/index.js';
import { decodeWriteCommand, encodeWriteCommand } from '../sql/index.js';
import type { WriteCommand } from '../sql/index.js';

/**
 * What one Raft 'command' entry asks every replica to do. The leader fixes everything that
 * could differ between replicas (the time, ids) before proposing, so apply is deterministic.
 * Membership changes are Raft 'config' entries, not commands.
 */
export type ReplicatedCommand =
  | { readonly kind: 'sqlWrite'; readonly write: WriteCommand }
  | { readonly kind: 'ttlSweep'; readonly nowMs: number };

/**
 * Entry data (format 2): u8 2 | u8 kind | body. Format 1 entries written by older versions are
 * still read: a SQL write starts with its own version byte 1, a TTL pass with 'T' (0x54).
 */
const FORMAT = 2;
const LEGACY_SQL_WRITE = 1;
const LEGACY_TTL_SWEEP = 0x54;
const KIND_TAGS = { sqlWrite: 1, ttlSweep: 2 } as const satisfies Record<ReplicatedCommand['kind'], number>;
const HEADER_BYTES = 2;
const TTL_BODY_BYTES = 8;

/** The entry data for `command`. */
export function encodeReplicatedCommand(command: ReplicatedCommand): Uint8Array {
  switch (command.kind) {
    case 'sqlWrite':
      return withHeader(KIND_TAGS.sqlWrite, encodeWriteCommand(command.write));
    case 'ttlSweep': {
      const body = new Uint8Array(TTL_BODY_BYTES);
      new DataView(body.buffer).setFloat64(0, command.nowMs, false);
      return withHeader(KIND_TAGS.ttlSweep, body);
    }
    default:
      return assertNever(command, 'replicated command');
  }
}

function withHeader(tag: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + body.length);
  out[0] = FORMAT;
  out[1] = tag;
  out.set(body, HEADER_BYTES);
  return out;
}

/** The command in an entry's data; CORRUPTION (naming the offset) when it is malformed. */
export function decodeReplicatedCommand(data: Uint8Array): ReplicatedCommand {
  switch (data[0]) {
    case FORMAT:
      return decodeTagged(data[1], data.subarray(HEADER_BYTES));
    case LEGACY_SQL_WRITE:
      return { kind: 'sqlWrite', write: decodeWriteCommand(data) };
    case LEGACY_TTL_SWEEP:
      return { kind: 'ttlSweep', nowMs: readTime(data.subarray(1), 1) };
    default:
      throw new ChronosError('CORRUPTION',
        `Corrupt log entry: unknown command format ${data[0] ?? '(empty)'} at offset 0`);
  }
}

function decodeTagged(tag: number | undefined, body: Uint8Array): ReplicatedCommand {
  switch (tag) {
    case KIND_TAGS.sqlWrite:
      return { kind: 'sqlWrite', write: decodeWriteCommand(body) };
    case KIND_TAGS.ttlSweep:
      return { kind: 'ttlSweep', nowMs: readTime(body, HEADER_BYTES) };
    default:
      throw new ChronosError('CORRUPTION',
        `Corrupt log entry: unknown command kind ${tag ?? '(missing)'} at offset 1`);
  }
}

/** A TTL pass's cutoff: exactly one finite f64. `offset` places errors in the entry. */
function readTime(body: Uint8Array, offset: number): number {
  if (body.length !== TTL_BODY_BYTES) {
    throw new ChronosError('CORRUPTION',
      `Corrupt TTL command: ${body.length} bytes at offset ${offset}, expected ${TTL_BODY_BYTES}`);
  }
  const nowMs = new DataView(body.buffer, body.byteOffset, body.byteLength).getFloat64(0, false);
  if (!Number.isFinite(nowMs)) {
    throw new ChronosError('CORRUPTION', `Corrupt TTL command: time is not finite at offset ${offset}`);
  }
  return nowMs;
}
