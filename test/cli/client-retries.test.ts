import { afterEach, describe, expect, it } from 'vitest';
import { ServerTarget } from '../../src/cli/server-target.js';
import { ChronosError, isChronosError } from '../../src/lib/errors.js';
import type { StatementResult } from '../../src/sql/result.js';
import type { GrpcServer } from '../../src/transport/index.js';
import { nodeGrpcServer } from '../../src/cli/grpc-endpoint.js';

const INSERTED: StatementResult = { kind: 'message', message: 'Inserted into t', rowsAffected: 1 };
const servers: GrpcServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop(0);
});

/** A real gRPC server answering the first `failures` calls with `error`, then success. */
async function serverFailing(error: ChronosError, failures: number): Promise<{ address: string; calls: () => number }> {
  let calls = 0;
  const server = nodeGrpcServer({
    host: '127.0.0.1', port: 0, tls: null, raft: async () => null,
    sql: async () => {
      calls += 1;
      if (calls <= failures) throw error;
      return INSERTED;
    },
  });
  servers.push(server);
  const { port } = await server.start();
  return { address: `127.0.0.1:${port}`, calls: () => calls };
}

describe('chronos client retries a write only when it was not applied', () => {
  it('retries NOT_APPLIED (the server refused before proposing) and succeeds', async () => {
    const server = await serverFailing(new ChronosError('NOT_APPLIED', 'not applied, safe to retry: node n1 is shutting down'), 2);
    const target = new ServerTarget(server.address, {});
    try {
      expect(await target.execute('INSERT INTO t VALUES (1)')).toEqual(INSERTED);
      expect(server.calls()).toBe(3);
    } finally {
      await target.close();
    }
  });

  it('does not retry OUTCOME_UNKNOWN and says the write may be applied', async () => {
    const server = await serverFailing(
      new ChronosError('OUTCOME_UNKNOWN', 'outcome unknown, the write may or may not have been applied (check before retrying): timeout'),
      1,
    );
    const target = new ServerTarget(server.address, {});
    try {
      const failure = await target.execute('INSERT INTO t VALUES (1)').then(() => null, (error: unknown) => error);
      expect(isChronosError(failure, 'OUTCOME_UNKNOWN')).toBe(true);
      expect(String((failure as Error).message)).toMatch(/may or may not have been applied/);
      expect(server.calls()).toBe(1);
    } finally {
      await target.close();
    }
  });
});
