import { describe, expect, it } from 'vitest';
import { decodeReplicatedCommand, encodeReplicatedCommand } from '../../src/node/replicated-command.js';
import type { ReplicatedCommand } from '../../src/node/replicated-command.js';
import { encodeWriteCommand } from '../../src/sql/command.js';

const T0 = 1_700_000_000_000;

describe('replicated commands', () => {
  it.each<ReplicatedCommand>([
    { kind: 'sqlWrite', write: { statements: ["INSERT INTO t VALUES (1, 'é')", 'DELETE FROM t'], nowMs: T0 + 0.5 } },
    { kind: 'sqlWrite', write: { statements: [], nowMs: 0 } },
    { kind: 'ttlSweep', nowMs: T0 + 123.5 },
    { kind: 'ttlSweep', nowMs: T0, rowsMax: 10_000 },
    { kind: 'clusterBirth', clusterId: '0123456789abcdef0123456789abcdef' },
    { kind: 'indexBuild', rowsMax: 10_000 },
  ])('round-trips %j', (command) => {
    expect(decodeReplicatedCommand(encodeReplicatedCommand(command))).toEqual(command);
  });

  it('reads the entries older versions wrote (a bare write command, a T-tagged TTL pass)', () => {
    const write = { statements: ['SELECT 1'], nowMs: T0 };
    expect(decodeReplicatedCommand(encodeWriteCommand(write))).toEqual({ kind: 'sqlWrite', write });
    const legacyTtl = new Uint8Array(9);
    legacyTtl[0] = 0x54;
    new DataView(legacyTtl.buffer).setFloat64(1, T0, false);
    expect(decodeReplicatedCommand(legacyTtl)).toEqual({ kind: 'ttlSweep', nowMs: T0 });
  });

  it('refuses malformed entries with CORRUPTION naming where', () => {
    const ttl = encodeReplicatedCommand({ kind: 'ttlSweep', nowMs: T0 });
    expect(() => decodeReplicatedCommand(ttl.subarray(0, 6))).toThrow(/Corrupt TTL command: 4 bytes at offset 2/);
    expect(() => decodeReplicatedCommand(new Uint8Array([2, 99]))).toThrow(/unknown command kind 99 at offset 1/);
    expect(() => decodeReplicatedCommand(new Uint8Array([7]))).toThrow(/unknown command format 7/);
    expect(() => decodeReplicatedCommand(new Uint8Array(0))).toThrow(/unknown command format \(empty\)/);
    const bounded = encodeReplicatedCommand({ kind: 'ttlSweep', nowMs: T0, rowsMax: 10 });
    expect(bounded[1]).toBe(8); // its own kind: a version that knows only whole passes stops at it
    expect(() => decodeReplicatedCommand(bounded.subarray(0, 12))).toThrow(/Corrupt TTL command: 10 bytes at offset 2, expected 16/);
    const zeroBound = encodeReplicatedCommand({ kind: 'ttlSweep', nowMs: T0, rowsMax: 0 });
    expect(() => decodeReplicatedCommand(zeroBound)).toThrow(/row bound 0 at offset 10 is not a positive integer/);
    const nan = encodeReplicatedCommand({ kind: 'ttlSweep', nowMs: Number.NaN });
    expect(() => decodeReplicatedCommand(nan)).toThrow(/not finite/);
    const pass = encodeReplicatedCommand({ kind: 'indexBuild', rowsMax: 5 });
    expect(pass[1]).toBe(9);
    expect(() => decodeReplicatedCommand(pass.subarray(0, 9))).toThrow(/Corrupt index build command at offset 2: 7 bytes \(expected 8\)/);
    expect(() => decodeReplicatedCommand(encodeReplicatedCommand({ kind: 'indexBuild', rowsMax: 0.5 })))
      .toThrow(/holding row bound 0.5/);
    const birth = encodeReplicatedCommand({ kind: 'clusterBirth', clusterId: '0123456789abcdef0123456789abcdef' });
    expect(() => decodeReplicatedCommand(birth.subarray(0, 20))).toThrow(/Corrupt cluster birth: id is not 32 hex digits at offset 2/);
  });
});
