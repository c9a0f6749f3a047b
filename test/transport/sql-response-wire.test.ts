import { describe, expect, it } from 'vitest';
import { ChronosError } from '../../src/lib/index.js';
import { Random } from '../../src/lib/random.js';
import type { StatementResult } from '../../src/sql/index.js';
import type { SqlType, SqlValue } from '../../src/storage/index.js';
import {
  decodeSqlResponse, errorToSqlResponse, protoMethod, resultToSqlResponse, sqlResponseBytes, sqlResponseToResult,
} from '../../src/transport/index.js';

const method = protoMethod('raft.SqlService', 'ExecuteSql');
const TYPES: readonly (SqlType | null)[] = ['INT', 'FLOAT', 'STRING', 'BOOLEAN', null];

/** A value a column of `type` can hold, edges included (int64 ends, -0, huge doubles, unicode). */
function value(random: Random, type: SqlType | null): SqlValue {
  if (random.chance(0.15)) return null;
  const ints = [0, 1, -1, 127, 128, -129, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1, -(2 ** 53 - 1)];
  const bigs = [2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n, -(2n ** 60n)];
  switch (type) {
    case 'INT':
      return random.chance(0.2) ? random.pick(bigs) : random.pick(ints) + (random.chance(0.5) ? random.int(1000) : 0);
    case 'FLOAT':
      return random.chance(0.1) ? random.pick(bigs) : random.pick([0, -0, 0.5, -1.25, 1e308, -5e-324, 3, 2 ** 60, Math.PI]);
    case 'STRING':
      return random.pick(['', 'a', 'héllo', '日本語', 'x'.repeat(300), '\u0000nul']);
    case 'BOOLEAN':
      return random.chance(0.5);
    default:
      return random.pick<SqlValue>([1, -7, 2.5, 'text', true, false, 2n ** 62n, '']);
  }
}

function drawn(random: Random): StatementResult {
  if (random.chance(0.2)) {
    return { kind: 'message', message: random.pick(['', 'Inserted into t', 'Déjà']), rowsAffected: random.pick([0, 1, 300, 2 ** 40]) };
  }
  const width = random.int(5);
  const columnTypes = Array.from({ length: width }, () => random.pick(TYPES));
  const columns = columnTypes.map((_, i) => random.pick([`c${i}`, `名${i}`, '']));
  const rows = Array.from({ length: random.pick([0, 1, 3, 40]) }, () => columnTypes.map((type) => value(random, type)));
  return { kind: 'rows', columns, columnTypes, rows };
}

describe('SqlResponse on the wire without protobufjs objects', () => {
  it('gives the bytes and the decoded results protobufjs gives, for 400 drawn results', async () => {
    const random = new Random(5122026);
    for (let i = 0; i < 400; i++) {
      const result = drawn(random);
      const ours = await sqlResponseBytes(result);
      const theirs = method.responseSerialize(resultToSqlResponse(result));
      // Both decoders, on both encodings, agree with the protobufjs round trip.
      const expected = sqlResponseToResult(method.responseDeserialize(theirs));
      expect(method.responseDeserialize(ours)).toEqual(method.responseDeserialize(theirs));
      expect(decodeSqlResponse(ours)).toEqual(expected);
      expect(decodeSqlResponse(theirs)).toEqual(expected);
    }
  });

  it('throws the error a failed answer reports, with its code and the leader to follow', () => {
    const failure = new ChronosError('NOT_LEADER', 'not the leader', { details: { leader: '127.0.0.1:8001' } });
    const bytes = method.responseSerialize(errorToSqlResponse(failure));
    expect(() => decodeSqlResponse(bytes)).toThrow(expect.objectContaining({
      code: 'NOT_LEADER', message: 'not the leader', details: { leader: '127.0.0.1:8001' },
    }));
    const parse = method.responseSerialize({ success: false, error: 'Parse error: near "x"' });
    expect(() => decodeSqlResponse(parse)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('refuses an INT beyond int64 rather than wrapping it, and damaged bytes as CORRUPTION', async () => {
    const huge: StatementResult = { kind: 'rows', columns: ['i'], columnTypes: ['INT'], rows: [[2n ** 64n]] };
    await expect(sqlResponseBytes(huge)).rejects.toThrow(/does not fit/);
    const bytes = await sqlResponseBytes({ kind: 'rows', columns: ['s'], columnTypes: ['STRING'], rows: [['abc']] });
    expect(() => decodeSqlResponse(bytes.subarray(0, bytes.length - 1))).toThrow(expect.objectContaining({ code: 'CORRUPTION' }));
  });
});
