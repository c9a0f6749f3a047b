import { describe, expect, it } from 'vitest';
import { Random } from '../../src/lib/random.js';
import type { Entry, RaftMessage } from '../../src/raft/index.js';
import { decodeEnvelope, encodeEnvelope } from '../../src/transport/envelope-wire.js';
import { protoMethod } from '../../src/transport/proto-loader.js';
import { envelopeFromProto, envelopeToProto } from '../../src/transport/raft-codec.js';

type StreamedMessage = Exclude<RaftMessage, { type: 'snapshot' }>;

const stream = protoMethod('raft.RaftService', 'Stream');

/** Numbers around every varint length boundary, 0 and 2^53 - 1 included. */
function number(random: Random): number {
  const bits = random.pick([0, 1, 7, 8, 14, 21, 28, 31, 32, 35, 49, 53]);
  if (bits === 0) return 0;
  if (random.chance(0.3)) return 2 ** bits - 1;
  return Math.floor(random.nextU32() / 2 ** 32 * 2 ** bits);
}

function nodeId(random: Random): string {
  return random.pick(['', 'node1', 'n-2', 'ノード3', 'x'.repeat(200)]);
}

function entry(random: Random): Entry {
  const length = random.chance(0.01) ? 70_000 : random.pick([0, 1, 5, 127, 128, 300]);
  const data = new Uint8Array(length);
  for (let i = 0; i < length; i++) data[i] = random.int(256);
  return { index: number(random), term: number(random), type: random.pick(['command', 'noop', 'config'] as const), data };
}

/** A message of any streamed kind with every field drawn (defaults included). */
function message(random: Random): StreamedMessage {
  const header = { from: nodeId(random), to: nodeId(random), term: number(random) };
  const flag = (): boolean => random.chance(0.5);
  switch (random.int(7)) {
    case 0:
      return { ...header, type: 'vote', preVote: flag(), lastLogIndex: number(random), lastLogTerm: number(random),
        leadershipTransfer: flag(), recovering: flag() };
    case 1:
      return { ...header, type: 'voteResponse', preVote: flag(), granted: flag(), recovering: flag() };
    case 2:
      return { ...header, type: 'append', prevLogIndex: number(random), prevLogTerm: number(random),
        entries: Array.from({ length: random.pick([0, 1, 3, 20]) }, () => entry(random)),
        commit: number(random), readContext: number(random), commitOnly: flag() };
    case 3:
      return { ...header, type: 'appendResponse', success: flag(), matchIndex: number(random),
        rejectHintIndex: number(random), rejectHintTerm: number(random), readContext: number(random), recovering: flag() };
    case 4:
      return { ...header, type: 'timeoutNow' };
    case 5:
      return { ...header, type: 'readIndex', requestId: number(random) };
    default:
      return { ...header, type: 'readIndexResponse', requestId: number(random), readIndex: number(random) };
  }
}

/** Fields of numbers the envelope does not use, as a newer peer might add: any varint width, bytes. */
function unknownFields(random: Random): Buffer {
  const parts: Buffer[] = [];
  for (let i = random.int(3); i > 0; i--) {
    const field = 8 + random.int(8);
    if (random.chance(0.5)) {
      // -1 as an int64: ten bytes, past 2^53; else a number at a varint length boundary.
      const value = random.chance(0.3) ? [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01] : [...varint(number(random))];
      parts.push(Buffer.from([field << 3, ...value]));
    } else {
      const length = random.int(5);
      parts.push(Buffer.from([(field << 3) | 2, length, ...Array.from({ length }, () => random.int(256))]));
    }
  }
  return Buffer.concat(parts);
}

function* varint(value: number): Generator<number> {
  let rest = value;
  for (; rest >= 128; rest = Math.floor(rest / 128)) yield (rest % 128) | 128;
  yield rest;
}

/** Compares entries' bytes as plain arrays (a view and a copy of the same bytes are equal). */
function comparable(value: RaftMessage | null): unknown {
  if (value === null || value.type !== 'append') return value;
  return { ...value, entries: value.entries.map((e) => ({ ...e, data: [...e.data] })) };
}

describe('RaftEnvelope on the wire without protobufjs objects', () => {
  it('round-trips and agrees with protobufjs both ways, for 600 drawn messages', () => {
    const random = new Random(20261205);
    for (let i = 0; i < 600; i++) {
      const drawn = message(random);
      const ours = encodeEnvelope(drawn);
      expect(comparable(decodeEnvelope(ours))).toEqual(comparable(drawn));
      // protobufjs reads our bytes...
      expect(comparable(envelopeFromProto(stream.requestDeserialize(ours)))).toEqual(comparable(drawn));
      // ...and we read protobufjs's.
      const theirs = stream.requestSerialize(envelopeToProto(drawn));
      expect(comparable(decodeEnvelope(theirs))).toEqual(comparable(drawn));
      // Unknown fields around the member are passed over.
      const padded = Buffer.concat([unknownFields(random), ours, unknownFields(random)]);
      expect(comparable(decodeEnvelope(padded))).toEqual(comparable(drawn));
    }
  });

  it('reads an empty envelope as no message, and skips fields it does not know', () => {
    expect(decodeEnvelope(Buffer.alloc(0))).toBeNull();
    const known: StreamedMessage = { from: 'a', to: 'b', term: 3, type: 'readIndex', requestId: 9 };
    // Field 15 (varint 300), field 14 (4 bytes) and field 13 (int64 -1: ten bytes, past 2^53)
    // before the envelope member.
    const unknown = Buffer.from([15 << 3, 0xac, 0x02, (14 << 3) | 2, 4, 1, 2, 3, 4,
      13 << 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(decodeEnvelope(Buffer.concat([unknown, encodeEnvelope(known)]))).toEqual(known);
  });

  it('refuses damaged bytes with a CORRUPTION error', () => {
    const bytes = encodeEnvelope({ from: 'a', to: 'b', term: 3, type: 'append', prevLogIndex: 1, prevLogTerm: 1,
      entries: [{ index: 2, term: 1, type: 'command', data: new Uint8Array([1, 2, 3]) }], commit: 1, readContext: 0, commitOnly: false });
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(() => decodeEnvelope(bytes.subarray(0, cut))).toThrow(expect.objectContaining({ code: 'CORRUPTION' }));
    }
    // term = 2^64 - 1: past what a safe integer holds, refused rather than rounded.
    const huge = Buffer.from([(4 << 3) | 2, 11, 3 << 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(() => decodeEnvelope(huge)).toThrow(/past 2\^53/);
  });

  it('refuses to encode a number a uint64 field cannot carry exactly', () => {
    expect(() => encodeEnvelope({ from: 'a', to: 'b', term: -1, type: 'timeoutNow' })).toThrow(/non-negative safe integer/);
    expect(() => encodeEnvelope({ from: 'a', to: 'b', term: 2 ** 53, type: 'timeoutNow' })).toThrow(/non-negative safe integer/);
  });
});
