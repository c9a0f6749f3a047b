import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallContext } from '../../src/transport/index.js';
import type { StatementResult } from '../../src/sql/result.js';
import { runCli } from '../../src/cli/main.js';
import { ServerTarget } from '../../src/cli/server-target.js';
import { ChronosError } from '../../src/lib/errors.js';
import type { GrpcServer } from '../../src/transport/index.js';
import { nodeGrpcServer } from '../../src/cli/grpc-endpoint.js';
import { BufferIo } from './buffer-io.js';

const tokens: (string | null)[] = [];
const INSERTED: StatementResult =
  { kind: 'message', message: 'Inserted into sensors', rowsAffected: 1 };
let leader: GrpcServer;
let follower: GrpcServer;
let leaderPort = 0;
let followerPort = 0;

async function leaderSql(sql: string, context: CallContext): Promise<StatementResult> {
  tokens.push(context.token);
  if (sql.includes('BOOM')) throw new ChronosError('PARSE_ERROR', 'Parse error: near BOOM');
  if (sql.startsWith('INSERT')) return INSERTED;
  return {
    kind: 'rows', columns: ['id', 'temp', 'device'], columnTypes: ['INT', 'FLOAT', 'STRING'],
    rows: [[1, 25.5, 'sensor-01'], [2, null, 'x']],
  };
}

const noRaft = async (): Promise<null> => null;

beforeAll(async () => {
  leader = nodeGrpcServer({ host: '127.0.0.1', port: 0, tls: null, raft: noRaft, sql: leaderSql });
  leaderPort = (await leader.start()).port;
  follower = nodeGrpcServer({
    host: '127.0.0.1', port: 0, tls: null, raft: noRaft,
    sql: async () => {
      const details = { leader: `127.0.0.1:${leaderPort}` };
      throw new ChronosError('NOT_LEADER', 'not the leader', { details });
    },
  });
  followerPort = (await follower.start()).port;
});

afterAll(async () => {
  await follower.stop(1000);
  await leader.stop(1000);
});

describe('ServerTarget', () => {
  it('follows a NOT_LEADER answer to the leader and sends the token', async () => {
    const target = new ServerTarget(`127.0.0.1:${followerPort}`, { CHRONOS_AUTH_TOKEN: 'tok' });
    try {
      const result = await target.execute("INSERT INTO sensors VALUES (1, 25.5, 'sensor-01')");
      expect(result).toEqual(INSERTED);
      expect(target.address).toBe(`127.0.0.1:${leaderPort}`);
      expect(tokens.at(-1)).toBe('tok');
    } finally {
      await target.close();
    }
  });

  it('chronos client --leader -e prints json rows through the real gRPC path', async () => {
    const io = new BufferIo();
    const code = await runCli(
      ['client', '--leader', `127.0.0.1:${followerPort}`, '-e', 'SELECT * FROM sensors',
        '--format', 'json'],
      { io, stdin: process.stdin, stdout: process.stdout, env: {} });
    expect(io.err).toBe('');
    expect(code).toBe(0);
    expect(io.out).toBe(
      '{"columns":["id","temp","device"],"rows":[[1,25.5,"sensor-01"],[2,null,"x"]]}\n');
  });

  it('a server error is one line and exit 1', async () => {
    const io = new BufferIo();
    const argv = ['client', '--leader', `127.0.0.1:${leaderPort}`, '-e', 'SELECT BOOM'];
    const code = await runCli(argv,
      { io, stdin: process.stdin, stdout: process.stdout, env: {} });
    expect(code).toBe(1);
    expect(io.err).toBe('Error: Parse error: near BOOM\n');
  });

  it('an unreachable server is one line and exit 1', async () => {
    const io = new BufferIo();
    const code = await runCli(['client', '--leader', '127.0.0.1:1', '-e', 'SELECT 1'],
      { io, stdin: process.stdin, stdout: process.stdout, env: {} });
    expect(code).toBe(1);
    expect(io.err).toMatch(/^Error: cannot reach 127\.0\.0\.1:1: .*\n$/);
    expect(io.err.split('\n')).toHaveLength(2);
  });

  it('a missing CA file is refused before connecting', () => {
    expect(() => new ServerTarget('127.0.0.1:1', { CHRONOS_TLS_CA_CERT: '/nonexistent/ca.pem' }))
      .toThrow(/CHRONOS_TLS_CA_CERT=\/nonexistent\/ca.pem: no such file/);
  });
});
