import type { Entry, EntryType, RaftMessage } from '../raft/index.js';
import { ChronosError } from '../lib/index.js';
import type { UnaryRaftKind } from './raft-codec.js';
import {
  WIRE_LENGTH_DELIMITED, WIRE_VARINT, WireReader, WireWriter, boolFieldSize, delimitedSize,
  optionalDelimitedSize, uintFieldSize,
} from './protobuf-wire.js';

/**
 * RaftEnvelope (proto/raft.proto) straight between RaftMessage and protobuf bytes, for the
 * Raft stream that carries every append and answer: the same bytes a protobuf library would
 * accept, without building the library's objects (int64s as Long, then decimal strings) on
 * the way in and out. The field tables below mirror the .proto's field numbers.
 */

type StreamedMessage = Exclude<RaftMessage, { type: 'snapshot' }>;

interface ScalarField {
  readonly no: number;
  readonly key: string;
  readonly kind: 'uint' | 'bool';
}

interface MessageLayout {
  /** The RaftEnvelope oneof member's field number. */
  readonly envelopeField: number;
  /** The fields after from = 1, to = 2, term = 3. */
  readonly scalars: readonly ScalarField[];
}

const uint = (no: number, key: string): ScalarField => ({ no, key, kind: 'uint' });
const bool = (no: number, key: string): ScalarField => ({ no, key, kind: 'bool' });

const LAYOUTS: Readonly<Record<UnaryRaftKind, MessageLayout>> = {
  vote: { envelopeField: 1, scalars: [bool(4, 'preVote'), uint(5, 'lastLogIndex'), uint(6, 'lastLogTerm'),
    bool(7, 'leadershipTransfer'), bool(8, 'recovering')] },
  voteResponse: { envelopeField: 2, scalars: [bool(4, 'preVote'), bool(5, 'granted'), bool(6, 'recovering')] },
  append: { envelopeField: 3, scalars: [uint(4, 'prevLogIndex'), uint(5, 'prevLogTerm'), uint(7, 'commit'),
    uint(8, 'readContext'), bool(9, 'commitOnly')] },
  appendResponse: { envelopeField: 4, scalars: [bool(4, 'success'), uint(5, 'matchIndex'),
    uint(6, 'rejectHintIndex'), uint(7, 'rejectHintTerm'), uint(8, 'readContext'), bool(9, 'recovering')] },
  timeoutNow: { envelopeField: 5, scalars: [] },
  readIndex: { envelopeField: 6, scalars: [uint(4, 'requestId')] },
  readIndexResponse: { envelopeField: 7, scalars: [uint(4, 'requestId'), uint(5, 'readIndex')] },
};

const KIND_OF_ENVELOPE_FIELD = new Map<number, UnaryRaftKind>(
  Object.entries(LAYOUTS).map(([kind, layout]) => [layout.envelopeField, kind as UnaryRaftKind]),
);

/** AppendRequest.entries. */
const ENTRIES_FIELD = 6;

const ENTRY_TYPE_NUMBER = { command: 0, noop: 1, config: 2 } as const satisfies Record<EntryType, number>;
const ENTRY_TYPES: readonly EntryType[] = ['command', 'noop', 'config'];

function entrySize(entry: Entry): number {
  return uintFieldSize(1, entry.index) + uintFieldSize(2, entry.term) +
    uintFieldSize(3, ENTRY_TYPE_NUMBER[entry.type]) + optionalDelimitedSize(4, entry.data.length);
}

function scalarOf(message: StreamedMessage, field: ScalarField): number | boolean {
  const value: unknown = (message as unknown as Readonly<Record<string, unknown>>)[field.key];
  if (field.kind === 'uint' ? typeof value !== 'number' : typeof value !== 'boolean') {
    throw new ChronosError('INVALID_ARGUMENT', `Raft ${message.type}.${field.key} is not a ${field.kind}`);
  }
  return value as number | boolean;
}

function scalarSize(field: ScalarField, value: number | boolean): number {
  return typeof value === 'boolean' ? boolFieldSize(field.no, value) : uintFieldSize(field.no, value);
}

/** RaftEnvelope bytes of `message`; empty for none (an envelope with no member). */
export function encodeEnvelope(message: StreamedMessage | null): Buffer {
  if (message === null) return Buffer.alloc(0);
  const layout = LAYOUTS[message.type];
  const fromBytes = Buffer.byteLength(message.from);
  const toBytes = Buffer.byteLength(message.to);
  const values = layout.scalars.map((field) => scalarOf(message, field));
  const entries = message.type === 'append' ? message.entries : [];
  const entrySizes = entries.map(entrySize);
  let bodySize = optionalDelimitedSize(1, fromBytes) + optionalDelimitedSize(2, toBytes) + uintFieldSize(3, message.term);
  layout.scalars.forEach((field, i) => { bodySize += scalarSize(field, values[i] ?? 0); });
  for (const size of entrySizes) bodySize += delimitedSize(ENTRIES_FIELD, size);
  const writer = new WireWriter(delimitedSize(layout.envelopeField, bodySize));
  writer.delimitedHeader(layout.envelopeField, bodySize);
  writer.stringField(1, message.from, fromBytes);
  writer.stringField(2, message.to, toBytes);
  writer.uintField(3, message.term);
  layout.scalars.forEach((field, i) => {
    const value = values[i] ?? 0;
    if (typeof value === 'boolean') writer.boolField(field.no, value);
    else writer.uintField(field.no, value);
  });
  entries.forEach((entry, i) => {
    writer.delimitedHeader(ENTRIES_FIELD, entrySizes[i] ?? 0);
    writer.uintField(1, entry.index);
    writer.uintField(2, entry.term);
    writer.uintField(3, ENTRY_TYPE_NUMBER[entry.type]);
    writer.bytesField(4, entry.data);
  });
  return writer.finish();
}

function readEntry(reader: WireReader): Entry {
  let index = 0;
  let term = 0;
  let type: EntryType = 'command';
  let data: Uint8Array = new Uint8Array(0);
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (field === 1 && wireType === WIRE_VARINT) index = reader.varint();
    else if (field === 2 && wireType === WIRE_VARINT) term = reader.varint();
    else if (field === 3 && wireType === WIRE_VARINT) {
      const number = reader.varint();
      const known = ENTRY_TYPES[number];
      if (known === undefined) throw new ChronosError('CORRUPTION', `gRPC Entry.type: unknown entry type ${number}`);
      type = known;
    } else if (field === 4 && wireType === WIRE_LENGTH_DELIMITED) data = reader.bytes();
    else reader.skip(wireType);
  }
  return { index, term, type, data };
}

function readMessage(kind: UnaryRaftKind, reader: WireReader): StreamedMessage {
  const layout = LAYOUTS[kind];
  // Every field starts at its proto3 default, as a protobuf decoder gives absent fields.
  const fields: Record<string, unknown> = { type: kind, from: '', to: '', term: 0 };
  for (const field of layout.scalars) fields[field.key] = field.kind === 'uint' ? 0 : false;
  const entries: Entry[] = [];
  if (kind === 'append') fields['entries'] = entries;
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    const scalar = layout.scalars.find((s) => s.no === field);
    if (field === 1 && wireType === WIRE_LENGTH_DELIMITED) fields['from'] = reader.string();
    else if (field === 2 && wireType === WIRE_LENGTH_DELIMITED) fields['to'] = reader.string();
    else if (field === 3 && wireType === WIRE_VARINT) fields['term'] = reader.varint();
    else if (scalar !== undefined && wireType === WIRE_VARINT) {
      const value = reader.varint();
      fields[scalar.key] = scalar.kind === 'uint' ? value : value !== 0;
    } else if (kind === 'append' && field === ENTRIES_FIELD && wireType === WIRE_LENGTH_DELIMITED) {
      entries.push(readEntry(reader.message('Entry')));
    } else reader.skip(wireType);
  }
  // The layout table gave every field of `kind` a value of its type.
  return fields as unknown as StreamedMessage;
}

/** The RaftMessage in RaftEnvelope bytes; null when the envelope carries none. */
export function decodeEnvelope(bytes: Buffer): StreamedMessage | null {
  const reader = new WireReader(bytes, 'RaftEnvelope');
  let message: StreamedMessage | null = null;
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    const kind = KIND_OF_ENVELOPE_FIELD.get(field);
    // A oneof seen twice keeps the last member, as protobuf decoders do.
    if (kind !== undefined && wireType === WIRE_LENGTH_DELIMITED) message = readMessage(kind, reader.message(kind));
    else reader.skip(wireType);
  }
  return message;
}
