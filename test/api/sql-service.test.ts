import { Metadata, credentials, loadPackageDefinition, status } from '@grpc/grpc-js';
import type { GrpcObject, ServiceClientConstructor, ServiceError } from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChronosError } from '../../src/lib/errors.js';
import type { StatementResult } from '../../src/sql/result.js';
import type { GrpcServer } from '../../src/transport/index.js';
import { nodeGrpcServer } from '../../src/cli/grpc-endpoint.js';
import type { CallContext } from '../../src/transport/index.js';
import type { SyncStatusHandler } from '../../src/api/index.js';
import { raftProtoPath } from '../../src/transport/proto-loader.js';
import { SqlClient } from '../../src/api/grpc/index.js';
import { TokenAuth } from '../../src/auth/index.js';

const big = 2n ** 53n + 7n;
const rows: StatementResult = {
  kind: 'rows',
  columns: ['id', 'temp', 'name', 'ok', 'big', 'nothing'],
  columnTypes: ['INT', 'FLOAT', 'STRING', 'BOOLEAN', 'INT', null],
  rows: [
    [1, 25.5, 'a', true, big, null],
    [-2, 3, '', false, -(2n ** 63n), null],
    [null, Number.NaN, 'ü', null, 0, null],
  ],
};

const contexts: CallContext[] = [];

async function sqlHandler(sql: string, context: CallContext): Promise<StatementResult> {
  contexts.push(context);
  if (sql.startsWith('SELECT')) return rows;
  if (sql.startsWith('INSERT')) return { kind: 'message', message: 'Inserted into sensors', rowsAffected: 1 };
  if (sql === 'whoami') throw new ChronosError('UNAUTHENTICATED', 'missing or invalid token');
  if (sql === 'write as reader') throw new ChronosError('PERMISSION_DENIED', 'read-only token cannot write');
  if (sql === 'follower') {
    throw new ChronosError('NOT_LEADER', 'not the leader', { details: { leader: '127.0.0.1:8001' } });
  }
  throw new ChronosError('PARSE_ERROR', `Parse error: unexpected '${sql}' at offset 0`);
}

let statusReport: Awaited<ReturnType<SyncStatusHandler>> | null = null;
const servers: GrpcServer[] = [];
let address = '';
let bareAddress = '';
let client: SqlClient;

beforeAll(async () => {
  const server = nodeGrpcServer({
    host: '127.0.0.1',
    port: 0,
    tls: null,
    raft: () => Promise.resolve(null),
    sql: sqlHandler,
    syncStatus: () => Promise.resolve(statusReport ?? { lastSyncTsMs: 0, lastSyncApplied: 0, pendingOps: 0, lastError: '' }),
  });
  address = `127.0.0.1:${(await server.start()).port}`;
  const bare = nodeGrpcServer({
    host: '127.0.0.1',
    port: 0,
    tls: null,
    raft: () => Promise.resolve(null),
    sql: sqlHandler,
  });
  bareAddress = `127.0.0.1:${(await bare.start()).port}`;
  servers.push(server, bare);
  client = new SqlClient({ address, tls: null, token: 'secret-token', deadlineMs: 5000 });
});

afterAll(async () => {
  client.close();
  for (const server of servers) await server.stop(100);
});

/** A client built from proto/raft.proto at run time, as grpcurl does. */
function genericService(name: string, target: string): InstanceType<ServiceClientConstructor> {
  const definition = protoLoader.loadSync(raftProtoPath(), {
    keepCase: false,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const raft = loadPackageDefinition(definition)['raft'] as GrpcObject;
  const Service = raft[name] as ServiceClientConstructor;
  return new Service(target, credentials.createInsecure());
}

function callGeneric(service: InstanceType<ServiceClientConstructor>, method: string, request: object, metadata = new Metadata()): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const fn = service[method] as (
      req: object,
      md: Metadata,
      cb: (error: ServiceError | null, response: Record<string, unknown>) => void,
    ) => void;
    fn.call(service, request, metadata, (error, response) => (error === null ? resolve(response) : reject(error)));
  });
}

describe('SqlService', () => {
  it('returns typed values, int64 beyond 2^53 and NULL exact, through SqlClient', async () => {
    const result = await client.execute('SELECT * FROM sensors');
    expect(result).toEqual({
      kind: 'rows',
      columns: rows.kind === 'rows' ? rows.columns : [],
      columnTypes: ['INT', 'FLOAT', 'STRING', 'BOOLEAN', 'INT', null],
      rows: [
        [1, 25.5, 'a', true, big, null],
        [-2, 3, '', false, -(2n ** 63n), null],
        [null, Number.NaN, 'ü', null, 0, null],
      ],
    });
    expect(contexts.at(-1)).toMatchObject({ token: 'secret-token', user: null });
    expect(contexts.at(-1)?.peer).toMatch(/127\.0\.0\.1/);
  });

  it('returns a statement message with rows affected', async () => {
    expect(await client.execute('INSERT INTO sensors VALUES (1)')).toEqual({
      kind: 'message',
      message: 'Inserted into sensors',
      rowsAffected: 1,
    });
  });

  it('reports SQL errors as success=false with the message and code', async () => {
    await expect(client.execute('garbage')).rejects.toMatchObject({
      code: 'PARSE_ERROR',
      message: "Parse error: unexpected 'garbage' at offset 0",
    });
    await expect(client.execute('follower')).rejects.toMatchObject({
      code: 'NOT_LEADER',
      details: { leader: '127.0.0.1:8001' },
    });
  });

  it('maps auth errors to gRPC UNAUTHENTICATED and PERMISSION_DENIED statuses', async () => {
    await expect(client.execute('whoami')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(client.execute('write as reader')).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    const generic = genericService('SqlService', address);
    const error = await callGeneric(generic, 'ExecuteSql', { sql: 'whoami' }).catch((e: ServiceError) => e);
    expect((error as ServiceError).code).toBe(status.UNAUTHENTICATED);
    generic.close();
  });

  it('speaks the wire format a generic (grpcurl-like) client expects', async () => {
    const generic = genericService('SqlService', address);
    const metadata = new Metadata();
    metadata.set('authorization', 'Bearer generic');
    const response = await callGeneric(generic, 'ExecuteSql', { sql: 'SELECT big' }, metadata);
    expect(response['success']).toBe(true);
    expect(response['error']).toBe('');
    expect(response['columns']).toEqual(['id', 'temp', 'name', 'ok', 'big', 'nothing']);
    const first = (response['rows'] as Array<{ values: unknown[] }>)[0]?.values;
    expect(first).toEqual([
      { intValue: '1', value: 'intValue' },
      { floatValue: 25.5, value: 'floatValue' },
      { stringValue: 'a', value: 'stringValue' },
      { boolValue: true, value: 'boolValue' },
      { intValue: '9007199254740999', value: 'intValue' },
      { nullValue: true, value: 'nullValue' },
    ]);
    expect(contexts.at(-1)?.token).toBe('generic');
    const failed = await callGeneric(generic, 'ExecuteSql', { sql: 'bad' });
    expect(failed['success']).toBe(false);
    expect(failed['error']).toBe("Parse error: unexpected 'bad' at offset 0");
    generic.close();
  });
});

describe('Health, Sync and SyncStatus', () => {
  it('GetSyncStatus uses the JSON field names of the guide, 64-bit values as strings', async () => {
    statusReport = { lastSyncTsMs: 1765127479252, lastSyncApplied: 2, pendingOps: 0, lastError: '' };
    const generic = genericService('SyncStatusService', address);
    const response = await callGeneric(generic, 'GetSyncStatus', {});
    expect(response).toEqual({
      lastSyncTsMs: '1765127479252',
      lastSyncApplied: '2',
      pendingOps: '0',
      lastError: '',
    });
    generic.close();
  });

  it('answers zeros saying sync is not configured, Connected and UNIMPLEMENTED on a node without sync', async () => {
    const statusService = genericService('SyncStatusService', bareAddress);
    expect(await callGeneric(statusService, 'GetSyncStatus', {})).toEqual({
      lastSyncTsMs: '0',
      lastSyncApplied: '0',
      pendingOps: '0',
      lastError: 'sync is not configured on this node (it was started without --sync-target)',
    });
    const health = genericService('HealthService', bareAddress);
    expect(await callGeneric(health, 'GetConnectivity', {})).toEqual({ state: 'Connected' });
    const sync = genericService('SyncService', bareAddress);
    const error = (await callGeneric(sync, 'Sync', { edgeId: 'edge1', operations: [] }).catch((e: unknown) => e)) as ServiceError;
    expect(error.code).toBe(status.UNIMPLEMENTED);
    expect(error.details).toBe('sync is not configured on this node');
    for (const service of [statusService, health, sync]) service.close();
  });

  it('with tokens on, answers status only to the admin or read-only token', async () => {
    const guarded = nodeGrpcServer({
      host: '127.0.0.1', port: 0, tls: null, raft: () => Promise.resolve(null), sql: sqlHandler,
      auth: new TokenAuth({ admin: 'a-token', readonly: 'r-token', ingest: 'i-token' }),
    });
    servers.push(guarded);
    const target = `127.0.0.1:${(await guarded.start()).port}`;
    const bearer = (token: string): Metadata => {
      const metadata = new Metadata();
      metadata.set('authorization', `Bearer ${token}`);
      return metadata;
    };
    for (const [service, method] of [['SyncStatusService', 'GetSyncStatus'], ['HealthService', 'GetConnectivity']] as const) {
      const generic = genericService(service, target);
      const none = (await callGeneric(generic, method, {}).catch((e: unknown) => e)) as ServiceError;
      expect(none.code).toBe(status.UNAUTHENTICATED);
      expect(none.details).toMatch(/^missing bearer token .*CHRONOS_AUTH_TOKEN_READONLY/);
      const ingest = (await callGeneric(generic, method, {}, bearer('i-token')).catch((e: unknown) => e)) as ServiceError;
      expect(ingest.code).toBe(status.PERMISSION_DENIED);
      await expect(callGeneric(generic, method, {}, bearer('r-token'))).resolves.toBeDefined();
      generic.close();
    }
  });

  it('passes a sync batch with exact uint64 ids to the handler', async () => {
    const batches: unknown[] = [];
    const server = nodeGrpcServer({
      host: '127.0.0.1',
      port: 0,
      tls: null,
      raft: () => Promise.resolve(null),
      sql: sqlHandler,
      sync: (batch) => {
        batches.push(batch);
        return Promise.resolve(BigInt(batch.operations.length));
      },
      health: () => Promise.resolve('Reconnecting'),
    });
    const target = `127.0.0.1:${(await server.start()).port}`;
    const sync = genericService('SyncService', target);
    const response = await callGeneric(sync, 'Sync', {
      edgeId: 'edge1',
      operations: [
        { id: '18446744073709551615', data: Buffer.from([1, 2]) },
        { id: '5', data: Buffer.alloc(0) },
      ],
    });
    expect(response).toEqual({ applied: '2' });
    expect(batches).toEqual([
      {
        edgeId: 'edge1',
        operations: [
          { id: 18446744073709551615n, data: Buffer.from([1, 2]) },
          { id: 5n, data: Buffer.alloc(0) },
        ],
      },
    ]);
    const health = genericService('HealthService', target);
    expect(await callGeneric(health, 'GetConnectivity', {})).toEqual({ state: 'Reconnecting' });
    sync.close();
    health.close();
    await server.stop(100);
  });
});
