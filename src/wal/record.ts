import { assert, assertNever, crc32 } from '../lib/index.js';
import type { Entry, EntryType, HardState, Membership, SnapshotMeta } from '../raft/index.js';

/**
 * One WAL record. Frame on disk (little-endian):
 *   u32 payloadLength | u32 crc32(type byte + payload) | u8 type | payload
 * The CRC covers the type so a flipped type byte is caught like any other.
 * A hard-state payload is term, commit, vote, then a flags byte only when a flag is set
 * (bit 0: recovering), so a log that never recovered reads the same in older versions.
 * A snapshot's membership is its voters, then learners and addresses only when there are any.
 */
export type WalRecord =
  | { readonly kind: 'segment-start'; readonly seq: number; readonly firstIndex: number }
  | { readonly kind: 'entry'; readonly entry: Entry }
  | { readonly kind: 'hard-state'; readonly hardState: HardState }
  | {
      readonly kind: 'snapshot';
      readonly snapshot: SnapshotMeta;
      /** Decided when written (Raft §7: keep the log after the snapshot iff it matches). */
      readonly keepSuffix: boolean;
    };

/** Bytes before the payload: length, crc, type. */
export const FRAME_HEADER_BYTES = 9;
/** Larger lengths are garbage, not records; bounds what a corrupt length can make us read. */
export const RECORD_PAYLOAD_BYTES_MAX = 256 * 1024 * 1024;
/** Bumped when the payload layout changes; checked in every segment-start record. */
export const WAL_FORMAT_VERSION = 1;

const TYPE_SEGMENT_START = 1;
const TYPE_ENTRY = 2;
const TYPE_HARD_STATE = 3;
const TYPE_SNAPSHOT = 4;

/** Hard-state flag: the node lost entries it may have acknowledged (HardState.recovering). */
const HARD_STATE_RECOVERING = 1;

/** True for a byte that names a record type. */
export function isRecordType(type: number): boolean {
  return type >= TYPE_SEGMENT_START && type <= TYPE_SNAPSHOT;
}

const ENTRY_TYPES: readonly EntryType[] = ['command', 'noop', 'config'];
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** Accumulates framed records into one buffer, so a batch is a single append. */
export class RecordWriter {
  #buffer = new Uint8Array(4096);
  #view = new DataView(this.#buffer.buffer);
  #length = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.#length;
  }

  /** Frames and appends one record. */
  add(record: WalRecord): void {
    const start = this.#length;
    this.#reserve(FRAME_HEADER_BYTES);
    const type = this.#payload(record);
    const payloadLength = this.#length - start - FRAME_HEADER_BYTES;
    assert(payloadLength <= RECORD_PAYLOAD_BYTES_MAX, `record of ${payloadLength} bytes too big`);
    this.#buffer[start + 8] = type;
    const crc = crc32(this.#buffer, start + 8, this.#length);
    this.#view.setUint32(start, payloadLength, true);
    this.#view.setUint32(start + 4, crc, true);
  }

  /** The framed bytes (a copy-free view; the writer must not be reused afterwards). */
  bytes(): Uint8Array {
    return this.#buffer.subarray(0, this.#length);
  }

  #payload(record: WalRecord): number {
    switch (record.kind) {
      case 'segment-start':
        this.#u16(WAL_FORMAT_VERSION);
        this.#u64(record.seq);
        this.#u64(record.firstIndex);
        return TYPE_SEGMENT_START;
      case 'entry': {
        const { entry } = record;
        this.#u64(entry.index);
        this.#u64(entry.term);
        this.#u8(ENTRY_TYPES.indexOf(entry.type));
        this.#raw(entry.data);
        return TYPE_ENTRY;
      }
      case 'hard-state':
        this.#u64(record.hardState.term);
        this.#u64(record.hardState.commit);
        this.#optionalString(record.hardState.vote);
        if (record.hardState.recovering === true) this.#u8(HARD_STATE_RECOVERING);
        return TYPE_HARD_STATE;
      case 'snapshot': {
        const { snapshot } = record;
        this.#u64(snapshot.index);
        this.#u64(snapshot.term);
        this.#u8(record.keepSuffix ? 1 : 0);
        this.#u16(snapshot.membership.voters.length);
        for (const voter of snapshot.membership.voters) this.#string(voter);
        this.#membershipExtras(snapshot.membership);
        return TYPE_SNAPSHOT;
      }
      default:
        return assertNever(record, 'WAL record');
    }
  }

  #reserve(bytes: number): number {
    const start = this.#length;
    const needed = start + bytes;
    if (needed > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(needed, this.#buffer.length * 2));
      grown.set(this.#buffer.subarray(0, start));
      this.#buffer = grown;
      this.#view = new DataView(grown.buffer);
    }
    this.#length = needed;
    return start;
  }

  #u8(value: number): void {
    assert(Number.isInteger(value) && value >= 0 && value <= 0xff, `u8 ${value}`);
    // Reserve first: it may replace #buffer, which must not be read before that.
    const at = this.#reserve(1);
    this.#buffer[at] = value;
  }

  #u16(value: number): void {
    assert(Number.isInteger(value) && value >= 0 && value <= 0xffff, `u16 ${value}`);
    const at = this.#reserve(2);
    this.#view.setUint16(at, value, true);
  }

  #u64(value: number): void {
    assert(Number.isSafeInteger(value) && value >= 0, `u64 ${value} is a safe integer`);
    const at = this.#reserve(8);
    this.#view.setUint32(at, value % 0x1_0000_0000, true);
    this.#view.setUint32(at + 4, Math.floor(value / 0x1_0000_0000), true);
  }

  #raw(bytes: Uint8Array): void {
    const at = this.#reserve(bytes.length);
    this.#buffer.set(bytes, at);
  }

  #string(value: string): void {
    const bytes = textEncoder.encode(value);
    this.#u16(bytes.length);
    this.#raw(bytes);
  }

  /** Learners and addresses, written only when there are any (older logs end after voters). */
  #membershipExtras(membership: Membership): void {
    const learners = membership.learners ?? [];
    const addresses = Object.entries(membership.addresses ?? {});
    if (learners.length === 0 && addresses.length === 0) return;
    this.#u16(learners.length);
    for (const learner of learners) this.#string(learner);
    this.#u16(addresses.length);
    for (const [id, address] of addresses) {
      this.#string(id);
      this.#string(address);
    }
  }

  #optionalString(value: string | null): void {
    this.#u8(value === null ? 0 : 1);
    if (value !== null) this.#string(value);
  }
}

/** A payload that passed its CRC but does not parse: a bug or corruption, never a torn write. */
export class MalformedRecordError extends Error {
  override readonly name = 'MalformedRecordError';
}

/** Parses one payload of the given type from `bytes[start, end)`. */
export function decodePayload(
  type: number,
  bytes: Uint8Array,
  start: number,
  end: number,
): WalRecord {
  const reader = new PayloadReader(bytes, start, end);
  let record: WalRecord;
  switch (type) {
    case TYPE_SEGMENT_START: {
      const version = reader.u16();
      if (version !== WAL_FORMAT_VERSION) {
        throw new MalformedRecordError(`unknown WAL format version ${version}`);
      }
      record = { kind: 'segment-start', seq: reader.u64(), firstIndex: reader.u64() };
      break;
    }
    case TYPE_ENTRY: {
      const index = reader.u64();
      const term = reader.u64();
      const entryType = ENTRY_TYPES[reader.u8()];
      if (entryType === undefined) throw new MalformedRecordError('unknown entry type');
      const data = reader.rest();
      record = { kind: 'entry', entry: { index, term, type: entryType, data } };
      break;
    }
    case TYPE_HARD_STATE: {
      const term = reader.u64();
      const commit = reader.u64();
      const vote = reader.u8() === 0 ? null : reader.string();
      const flags = reader.atEnd() ? 0 : reader.u8();
      if ((flags & ~HARD_STATE_RECOVERING) !== 0) {
        throw new MalformedRecordError(`unknown hard-state flags ${flags}`);
      }
      const hardState: HardState = { term, vote, commit };
      record = {
        kind: 'hard-state',
        hardState: flags === 0 ? hardState : { ...hardState, recovering: true },
      };
      break;
    }
    case TYPE_SNAPSHOT: {
      const index = reader.u64();
      const term = reader.u64();
      const keepSuffix = reader.u8() === 1;
      const voters: string[] = [];
      const count = reader.u16();
      for (let i = 0; i < count; i++) voters.push(reader.string());
      const membership = reader.atEnd() ? { voters } : readMembershipExtras(reader, voters);
      record = { kind: 'snapshot', snapshot: { index, term, membership }, keepSuffix };
      break;
    }
    default:
      throw new MalformedRecordError(`unknown record type ${type}`);
  }
  reader.expectEnd();
  return record;
}

function readMembershipExtras(reader: PayloadReader, voters: string[]): Membership {
  const learners: string[] = [];
  const learnerCount = reader.u16();
  for (let i = 0; i < learnerCount; i++) learners.push(reader.string());
  const addresses: Record<string, string> = {};
  const addressCount = reader.u16();
  for (let i = 0; i < addressCount; i++) {
    const id = reader.string();
    addresses[id] = reader.string();
  }
  return {
    voters,
    ...(learners.length === 0 ? {} : { learners }),
    ...(addressCount === 0 ? {} : { addresses }),
  };
}

class PayloadReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #end: number;
  #at: number;

  constructor(bytes: Uint8Array, start: number, end: number) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#at = start;
    this.#end = end;
  }

  #take(count: number): number {
    if (this.#at + count > this.#end) throw new MalformedRecordError('payload too short');
    const at = this.#at;
    this.#at += count;
    return at;
  }

  u8(): number {
    return this.#view.getUint8(this.#take(1));
  }

  u16(): number {
    return this.#view.getUint16(this.#take(2), true);
  }

  u64(): number {
    const at = this.#take(8);
    const high = this.#view.getUint32(at + 4, true);
    const value = high * 0x1_0000_0000 + this.#view.getUint32(at, true);
    if (!Number.isSafeInteger(value)) throw new MalformedRecordError('u64 beyond 2^53');
    return value;
  }

  string(): string {
    const length = this.u16();
    const at = this.#take(length);
    try {
      return textDecoder.decode(this.#bytes.subarray(at, at + length));
    } catch {
      throw new MalformedRecordError('invalid UTF-8');
    }
  }

  rest(): Uint8Array {
    // A copy, so entries do not pin the whole segment buffer in memory.
    const at = this.#take(this.#end - this.#at);
    return this.#bytes.slice(at, this.#end);
  }

  atEnd(): boolean {
    return this.#at === this.#end;
  }

  expectEnd(): void {
    if (this.#at !== this.#end) throw new MalformedRecordError('trailing bytes in payload');
  }
}
