import type {
  AppendRequest,
  AppendResponse,
  RaftMessage,
  ReadIndexRequest,
  ReadIndexResponse,
  TimeoutNowRequest,
  VoteRequest,
  VoteResponse,
} from '../raft/messages.js';
import type { Entry, EntryType, SnapshotMeta } from '../raft/types.js';
import { assertNever } from '../lib/assert.js';
import { ChronosError } from '../lib/errors.js';
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
  return {
    index: meta.index,
    term: meta.term,
    membership: { voters: [...meta.membership.voters] },
  };
}

/** Decoded proto SnapshotMeta. */
export function snapshotMetaFromProto(proto: ProtoObject | null): SnapshotMeta {
  if (proto === null) throw new ChronosError('CORRUPTION', 'gRPC snapshot chunk without meta');
  const membership = readMessage(proto, 'membership');
  const voters = membership === null ? [] : readArray(membership, 'voters');
  return {
    index: readSafeUint(proto, 'index'),
    term: readSafeUint(proto, 'term'),
    membership: {
      voters: voters.map((voter, i) => {
        if (typeof voter !== 'string') {
          throw new ChronosError('CORRUPTION', `gRPC SnapshotMeta voters[${i}] is not a string`);
        }
        return voter;
      }),
    },
  };
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
