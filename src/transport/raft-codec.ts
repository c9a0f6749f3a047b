import type {
  AppendRequest, AppendResponse, RaftMessage, ReadIndexRequest, ReadIndexResponse,
  TimeoutNowRequest, VoteRequest, VoteResponse, Entry, EntryType, SnapshotMeta,
} from '../raft/index.js';
import { assertNever, ChronosError } from '../lib/index.js';
import {
  asObject,
  readArray,
  readBool,
  readBytes,
  readMessage,
  readSafeUint,
  readString,
} from './proto-read.js';
import type { ProtoObject } from './proto-read.js';

/**
 * RaftMessage <-> the plain objects @grpc/proto-loader serializes (proto/raft.proto). Numbers
 * go out as numbers (protobufjs encodes them as uint64) and come back as decimal strings, which
 * are narrowed to safe integers. Snapshots travel as chunks: see snapshot-chunks.ts.
 */

type Envelope = Pick<RaftMessage, 'from' | 'to' | 'term'>;

const ENTRY_TYPE_TO_PROTO = {
  command: 'ENTRY_TYPE_COMMAND',
  noop: 'ENTRY_TYPE_NOOP',
  config: 'ENTRY_TYPE_CONFIG',
} as const satisfies Record<EntryType, string>;

function headerToProto(message: Envelope): Record<string, unknown> {
  return { from: message.from, to: message.to, term: message.term };
}

function headerFromProto(proto: ProtoObject): Envelope {
  return {
    from: readString(proto, 'from'),
    to: readString(proto, 'to'),
    term: readSafeUint(proto, 'term'),
  };
}

/** Views a decoded Buffer as a plain Uint8Array (no copy), so callers see one byte type. */
function plainBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** An entry as its proto object. */
export function entryToProto(entry: Entry): Record<string, unknown> {
  return {
    index: entry.index,
    term: entry.term,
    type: ENTRY_TYPE_TO_PROTO[entry.type],
    data: entry.data,
  };
}

/** A decoded proto Entry. */
export function entryFromProto(value: unknown): Entry {
  const proto = asObject(value, 'entries[]');
  return {
    index: readSafeUint(proto, 'index'),
    term: readSafeUint(proto, 'term'),
    type: entryTypeFromProto(readString(proto, 'type')),
    data: plainBytes(readBytes(proto, 'data')),
  };
}

function entryTypeFromProto(text: string): EntryType {
  switch (text) {
    case 'ENTRY_TYPE_COMMAND':
      return 'command';
    case 'ENTRY_TYPE_NOOP':
      return 'noop';
    case 'ENTRY_TYPE_CONFIG':
      return 'config';
    default:
      throw new ChronosError('CORRUPTION', `gRPC Entry.type: unknown entry type ${text}`);
  }
}

/** Snapshot metadata as its proto object. */
export function snapshotMetaToProto(meta: SnapshotMeta): Record<string, unknown> {
  const { voters, learners, addresses } = meta.membership;
  return {
    index: meta.index,
    term: meta.term,
    membership: { voters: [...voters], learners: [...(learners ?? [])], addresses: { ...addresses } },
  };
}

/** Decoded proto SnapshotMeta. */
export function snapshotMetaFromProto(proto: ProtoObject | null): SnapshotMeta {
  if (proto === null) throw new ChronosError('CORRUPTION', 'gRPC snapshot chunk without meta');
  const membership = readMessage(proto, 'membership');
  const voters = membership === null ? [] : readIdList(membership, 'voters');
  const learners = membership === null ? [] : readIdList(membership, 'learners');
  const addresses = membership === null ? {} : readAddressBook(membership);
  return {
    index: readSafeUint(proto, 'index'),
    term: readSafeUint(proto, 'term'),
    membership: {
      voters,
      ...(learners.length === 0 ? {} : { learners }),
      ...(Object.keys(addresses).length === 0 ? {} : { addresses }),
    },
  };
}

function readIdList(membership: ProtoObject, field: string): string[] {
  return readArray(membership, field).map((id, i) => {
    if (typeof id !== 'string') {
      throw new ChronosError('CORRUPTION', `gRPC SnapshotMeta ${field}[${i}] is not a string`);
    }
    return id;
  });
}

function readAddressBook(membership: ProtoObject): Record<string, string> {
  const value: unknown = membership['addresses'];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object') throw new ChronosError('CORRUPTION', 'gRPC SnapshotMeta addresses is not a map');
  const book: Record<string, string> = {};
  for (const [id, address] of Object.entries(value)) {
    if (typeof address !== 'string') {
      throw new ChronosError('CORRUPTION', `gRPC SnapshotMeta address of ${id} is not a string`);
    }
    book[id] = address;
  }
  return book;
}

/** The proto object of any non-snapshot Raft message. */
export function raftMessageToProto(
  message: Exclude<RaftMessage, { type: 'snapshot' }>,
): Record<string, unknown> {
  const envelope = headerToProto(message);
  switch (message.type) {
    case 'vote':
      return {
        ...envelope,
        preVote: message.preVote,
        lastLogIndex: message.lastLogIndex,
        lastLogTerm: message.lastLogTerm,
        leadershipTransfer: message.leadershipTransfer,
        recovering: message.recovering,
      };
    case 'voteResponse':
      return {
        ...envelope, preVote: message.preVote, granted: message.granted,
        recovering: message.recovering,
      };
    case 'append':
      return {
        ...envelope,
        prevLogIndex: message.prevLogIndex,
        prevLogTerm: message.prevLogTerm,
        entries: message.entries.map(entryToProto),
        commit: message.commit,
        readContext: message.readContext,
        commitOnly: message.commitOnly,
      };
    case 'appendResponse':
      return {
        ...envelope,
        success: message.success,
        matchIndex: message.matchIndex,
        rejectHintIndex: message.rejectHintIndex,
        rejectHintTerm: message.rejectHintTerm,
        readContext: message.readContext,
        recovering: message.recovering,
      };
    case 'timeoutNow':
      return envelope;
    case 'readIndex':
      return { ...envelope, requestId: message.requestId };
    case 'readIndexResponse':
      return { ...envelope, requestId: message.requestId, readIndex: message.readIndex };
    default:
      return assertNever(message, 'raft message');
  }
}

/** The kinds of Raft message that travel as one proto message (snapshots are chunked). */
export type UnaryRaftKind = Exclude<RaftMessage['type'], 'snapshot'>;

/** Decodes a proto object known (from the RPC) to hold a message of `kind`. */
export function raftMessageFromProto(kind: UnaryRaftKind, value: unknown): RaftMessage {
  const proto = asObject(value, kind);
  const envelope = headerFromProto(proto);
  switch (kind) {
    case 'vote':
      return {
        ...envelope,
        type: 'vote',
        preVote: readBool(proto, 'preVote'),
        lastLogIndex: readSafeUint(proto, 'lastLogIndex'),
        lastLogTerm: readSafeUint(proto, 'lastLogTerm'),
        leadershipTransfer: readBool(proto, 'leadershipTransfer'),
        recovering: readBool(proto, 'recovering'),
      } satisfies VoteRequest;
    case 'voteResponse':
      return {
        ...envelope,
        type: 'voteResponse',
        preVote: readBool(proto, 'preVote'),
        granted: readBool(proto, 'granted'),
        recovering: readBool(proto, 'recovering'),
      } satisfies VoteResponse;
    case 'append':
      return {
        ...envelope,
        type: 'append',
        prevLogIndex: readSafeUint(proto, 'prevLogIndex'),
        prevLogTerm: readSafeUint(proto, 'prevLogTerm'),
        entries: readArray(proto, 'entries').map(entryFromProto),
        commit: readSafeUint(proto, 'commit'),
        readContext: readSafeUint(proto, 'readContext'),
        commitOnly: readBool(proto, 'commitOnly'),
      } satisfies AppendRequest;
    case 'appendResponse':
      return {
        ...envelope,
        type: 'appendResponse',
        success: readBool(proto, 'success'),
        matchIndex: readSafeUint(proto, 'matchIndex'),
        rejectHintIndex: readSafeUint(proto, 'rejectHintIndex'),
        rejectHintTerm: readSafeUint(proto, 'rejectHintTerm'),
        readContext: readSafeUint(proto, 'readContext'),
        recovering: readBool(proto, 'recovering'),
      } satisfies AppendResponse;
    case 'timeoutNow':
      return { ...envelope, type: 'timeoutNow' } satisfies TimeoutNowRequest;
    case 'readIndex':
      return {
        ...envelope,
        type: 'readIndex',
        requestId: readSafeUint(proto, 'requestId'),
      } satisfies ReadIndexRequest;
    case 'readIndexResponse':
      return {
        ...envelope,
        type: 'readIndexResponse',
        requestId: readSafeUint(proto, 'requestId'),
        readIndex: readSafeUint(proto, 'readIndex'),
      } satisfies ReadIndexResponse;
    default:
      return assertNever(kind, 'raft message kind');
  }
}

/** The RaftEnvelope oneof member that carries each kind. */
const ENVELOPE_FIELD = {
  vote: 'voteRequest',
  voteResponse: 'voteResponse',
  append: 'appendRequest',
  appendResponse: 'appendResponse',
  timeoutNow: 'timeoutNow',
  readIndex: 'readIndexRequest',
  readIndexResponse: 'readIndexResponse',
} as const satisfies Record<UnaryRaftKind, string>;

/** A reply of any kind (or none) as a RaftEnvelope proto object. */
export function envelopeToProto(message: RaftMessage | null): Record<string, unknown> {
  if (message === null) return {};
  if (message.type === 'snapshot') {
    throw new ChronosError('INVALID_ARGUMENT', 'a snapshot cannot be a reply to a Raft RPC');
  }
  return { [ENVELOPE_FIELD[message.type]]: raftMessageToProto(message) };
}

/** Decodes a RaftEnvelope proto object; null when it carries nothing. */
export function envelopeFromProto(value: unknown): RaftMessage | null {
  const proto = asObject(value, 'RaftEnvelope');
  const member = proto['message'];
  if (member === undefined || member === null || member === '') return null;
  for (const [kind, field] of Object.entries(ENVELOPE_FIELD)) {
    if (field === member) return raftMessageFromProto(kind as UnaryRaftKind, proto[field]);
  }
  throw new ChronosError('CORRUPTION', `gRPC RaftEnvelope: unknown member ${String(member)}`);
}
