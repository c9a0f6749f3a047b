import { describe, expect, it } from 'vitest';
import type { StatementResult } from '../../src/sql/index.js';
import { protoMethod, resultToSqlResponse, sqlResponseBytes, sqlResponseToResult } from '../../src/transport/index.js';

const method = protoMethod('raft.SqlService', 'ExecuteSql');

function rowsResult(count: number): StatementResult {
  const rows = Array.from({ length: count }, (_, i) => [BigInt(i) * 1_000_000_007n, i / 7, i % 3 === 0 ? null : `s${i}`, i % 2 === 0]);
  return { kind: 'rows', columns: ['i', 'f', 's', 'b'], columnTypes: ['INT', 'FLOAT', 'STRING', 'BOOLEAN'], rows };
}

describe('sqlResponseBytes', () => {
  it.each([0, 1, 1_000, 1_001, 1_234, 3_000])('encodes %i rows, sliced, to what one encoding of the answer decodes to', async (count) => {
    const result = rowsResult(count);
    const bytes = await sqlResponseBytes(result);
    const whole = method.responseSerialize(resultToSqlResponse(result));
    const decoded = method.responseDeserialize(bytes);
    expect(decoded).toEqual(method.responseDeserialize(whole));
    const back = sqlResponseToResult(decoded);
    expect(back.kind === 'rows' ? back.rows.length : -1).toBe(count);
    expect(bytes.length).toBe(whole.length);
  });

  it('encodes a message answer as it is', async () => {
    const result: StatementResult = { kind: 'message', message: 'Inserted into t', rowsAffected: 3 };
    expect(await sqlResponseBytes(result)).toEqual(method.responseSerialize(resultToSqlResponse(result)));
  });
});
