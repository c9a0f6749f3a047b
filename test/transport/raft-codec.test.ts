import { describe, expect, it } from 'vitest';
import type { RaftMessage, SnapshotRequest } from '../../src/raft/messages.js';
import { protoMethod } from '../../src/transport/proto-loader.js';
import {
  envelopeFromProto,
  envelopeToProto,
  raftMessageFromProto,
  raftMessageToProto,
} from '../../src/transport/raft-codec.js';
import type { UnaryRaftKind } from '../../src/transport/raft-codec.js';
import { SnapshotAssembler, snapshotToChunks } from '../../src/transport/snapshot-chunks.js';

const header = { from: 'node1', to: 'node-2', term: 7 } as const;

/** Every non-snapshot kind, with every field away from its default, and the RPC carrying it. */
const samples: ReadonlyArray<{ message: Exclude<RaftMessage, { type: 'snapshot' }>; rpc: string; side: 'request' | 'response' }> = [
  {
    message: { ...header, type: 'vote', preVote: false, lastLogIndex: 41, lastLogTerm: 6, leadershipTransfer: true, recovering: false },
    rpc: 'RequestVote',
    side: 'request',
  },
  {
    message: { ...header, type: 'vote', preVote: true, lastLogIndex: 2 ** 53 - 1, lastLogTerm: 0, leadershipTransfer: false, recovering: false },
    rpc: 'PreVote',
    side: 'request',
  },
  { message: { ...header, type: 'voteResponse', preVote: true, granted: true, recovering: true }, rpc: 'RequestVote', side: 'response' },
  {
    message: {
      ...header,
      type: 'append',
      prevLogIndex: 10,
      prevLogTerm: 5,
      entries: [
        { index: 11, term: 5, type: 'noop', data: new Uint8Array(0) },
        { index: 12, term: 7, type: 'command', data: new Uint8Array([0, 1, 2, 255]) },
        { index: 13, term: 7, type: 'config', data: new TextEncoder().encode('voters') },
      ],
      commit: 9,
      readContext: 3,
      commitOnly: false,
    },
    rpc: 'AppendEntries',
    side: 'request',
  },
  {
    message: { ...header, type: 'append', prevLogIndex: 0, prevLogTerm: 0, entries: [], commit: 0, readContext: 0, commitOnly: true },
    rpc: 'AppendEntries',
    side: 'request',
  },
  {
    message: {
      ...header,
      type: 'appendResponse',
      success: false,
      matchIndex: 4,
      rejectHintIndex: 8,
      rejectHintTerm: 2,
      readContext: 5,
      recovering: true,
    },
    rpc: 'AppendEntries',
    side: 'response',
  },
  { message: { ...header, type: 'timeoutNow' }, rpc: 'TimeoutNow', side: 'request' },
  { message: { ...header, type: 'readIndex', requestId: 99 }, rpc: 'ReadIndex', side: 'request' },
  {
    message: { ...header, type: 'readIndexResponse', requestId: 99, readIndex: 1234 },
    rpc: 'ReadIndex',
    side: 'response',
  },
];

function wireRoundTrip(rpc: string, side: 'request' | 'response', proto: object): object {
  const method = protoMethod('raft.RaftService', rpc);
  if (side === 'request') return method.requestDeserialize(method.requestSerialize(proto));
  return method.responseDeserialize(method.responseSerialize(proto));
}

describe('raft codec', () => {
  for (const { message, rpc, side } of samples) {
    it(`round-trips ${message.type} through ${rpc} bytes exactly`, () => {
      const proto = raftMessageToProto(message);
      const viaWire = wireRoundTrip(rpc, side, proto);
      expect(raftMessageFromProto(message.type as UnaryRaftKind, viaWire)).toEqual(message);
    });
  }

  it('carries any reply kind, or none, in a RaftEnvelope', () => {
    for (const { message } of samples) {
      const bytes = protoMethod('raft.RaftService', 'TimeoutNow').responseSerialize(envelopeToProto(message));
      const decoded = protoMethod('raft.RaftService', 'TimeoutNow').responseDeserialize(bytes);
      expect(envelopeFromProto(decoded)).toEqual(message);
    }
    const method = protoMethod('raft.RaftService', 'InstallSnapshot');
    expect(envelopeFromProto(method.responseDeserialize(method.responseSerialize(envelopeToProto(null))))).toBeNull();
  });

  it('splits a snapshot into chunks and reassembles it exactly', () => {
    const data = new Uint8Array(2500);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) % 256;
    const snapshot: SnapshotRequest = {
      ...header,
      type: 'snapshot',
      meta: { index: 500, term: 6, membership: { voters: ['node1', 'node-2', 'edge3'],
        learners: ['node4'], addresses: { node1: '10.0.0.1:8000', node4: '10.0.0.4:8003' } } },
      data,
    };
    const chunks = snapshotToChunks(snapshot, 1000);
    expect(chunks.map((chunk) => (chunk['data'] as Uint8Array).byteLength)).toEqual([1000, 1000, 500]);
    const method = protoMethod('raft.RaftService', 'InstallSnapshot');
    const assembler = new SnapshotAssembler();
    for (const chunk of chunks) assembler.add(method.requestDeserialize(method.requestSerialize(chunk)));
    expect(assembler.finish()).toEqual(snapshot);
  });

  it('sends an empty snapshot as one chunk', () => {
    const snapshot: SnapshotRequest = {
      ...header,
      type: 'snapshot',
      meta: { index: 1, term: 1, membership: { voters: ['node1'] } },
      data: new Uint8Array(0),
    };
    const chunks = snapshotToChunks(snapshot, 1000);
    expect(chunks).toHaveLength(1);
    const assembler = new SnapshotAssembler();
    assembler.add(chunks[0]);
    expect(assembler.finish()).toEqual(snapshot);
  });

  it('refuses a snapshot stream with a gap or a missing tail', () => {
    const snapshot: SnapshotRequest = {
      ...header,
      type: 'snapshot',
      meta: { index: 1, term: 1, membership: { voters: ['node1'] } },
      data: new Uint8Array(30),
    };
    const chunks = snapshotToChunks(snapshot, 10);
    const gap = new SnapshotAssembler();
    gap.add(chunks[0]);
    expect(() => gap.add(chunks[2])).toThrow(/out of order: chunk at offset 20, expected 10/);
    const short = new SnapshotAssembler();
    short.add(chunks[0]);
    short.add(chunks[1]);
    expect(() => short.finish()).toThrow(/ended at 20 of 30 bytes/);
  });
});
