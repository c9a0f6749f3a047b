import { gzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { WriteStages } from '../../src/node/write-stages.js';
import { describe, expect, it } from 'vitest';
import { buildAdminApp } from '../../src/api/admin-http.js';
import { TokenAuth, bearerToken, tokenConfigFromEnv } from '../../src/auth/index.js';
import { NodeMetrics } from '../../src/api/metrics.js';
import { healthBody } from '../../src/api/node-status.js';
import { ChronosError } from '../../src/lib/errors.js';
import type { NodeStatus } from '../../src/api/node-status.js';

const leader: NodeStatus = { role: 'Leader', term: 5, leader: 'node1', commitIndex: 42, appliedIndex: 41,
  recovering: false,
  voters: ['node1', 'node2', 'node3'], learners: [], clusterId: '0123456789abcdef0123456789abcdef' };

function app(status: NodeStatus = leader, tokens = { admin: null, readonly: null, ingest: null } as {
  admin: string | null; readonly: string | null; ingest: string | null;
}) {
  const stages = new WriteStages();
  stages.proposed(3, 0, 1);
  stages.saved(3, 3, 2, 1);
  stages.committed(3, 3, 4);
  stages.applied(3, 3, 4, 5);
  const metrics = new NodeMetrics({
    status: () => status, storageSizeBytes: async () => 1234, walFsyncs: () => 7, writeStages: () => stages.totals(),
  });
  return { app: buildAdminApp({ status: () => status, metrics, auth: new TokenAuth(tokens) }), metrics };
}

describe('GET /health', () => {
  it('answers the guide keys first, in its order, then leader and indexes', async () => {
    const { app: server } = app();
    const response = await server.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    expect(response.body).toBe(
      '{"status":"ok","role":"Leader","term":5,"leader":"node1","commit_index":42,"applied_index":41,' +
        '"voters":["node1","node2","node3"],"learners":[],"cluster_id":"0123456789abcdef0123456789abcdef"}',
    );
  });

  it.each([
    [{ role: 'Follower', term: 1, leader: null, commitIndex: 0, appliedIndex: 0, recovering: false, voters: ['node1'], learners: [], clusterId: null } as NodeStatus,
      '{"status":"ok","role":"Follower","term":1,"leader":null,"commit_index":0,"applied_index":0,"voters":["node1"],"learners":[],"cluster_id":null}'],
    [{ role: 'Follower', term: 4, leader: 'node1', commitIndex: 0, appliedIndex: 0, recovering: true, voters: ['node1', 'node4'], learners: ['node5'], clusterId: null } as NodeStatus,
      '{"status":"ok","role":"Follower","term":4,"leader":"node1","commit_index":0,"applied_index":0,"recovering":true,' +
        '"voters":["node1","node4"],"learners":["node5"],"cluster_id":null}'],
    [{ role: 'Candidate', term: 9, leader: null, commitIndex: 3, appliedIndex: 3, recovering: false, voters: [], learners: [], clusterId: null } as NodeStatus,
      '{"status":"ok","role":"Candidate","term":9,"leader":null,"commit_index":3,"applied_index":3,"voters":[],"learners":[],"cluster_id":null}'],
    [{ role: 'Candidate', term: 2, leader: null, commitIndex: 3, appliedIndex: 3, recovering: false, voters: ['node1', 'node2', 'node3'], learners: [], clusterId: null,
      removed: { index: 4, voters: ['node1', 'node2'] } } as NodeStatus,
      '{"status":"ok","role":"Candidate","term":2,"leader":null,"commit_index":3,"applied_index":3,"voters":["node1","node2"],"learners":[],' +
        '"cluster_id":null,"removed":true,"removed_at_index":4}'],
  ])('reports status "ok" whatever the role (%#)', (status, body) => {
    expect(healthBody(status)).toBe(body);
  });
});

describe('GET /metrics', () => {
  it('exposes the required series with current values', async () => {
    const { app: server, metrics } = app();
    metrics.sqlRequests.inc({ kind: 'read' }, 3);
    metrics.sqlRequests.inc({ kind: 'write' });
    metrics.sqlDuration.observe({ kind: 'read' }, 0.002);
    const response = await server.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/plain/);
    const text = response.body;
    expect(text).toContain('chronos_sql_requests_total{kind="read"} 3');
    expect(text).toContain('chronos_sql_requests_total{kind="write"} 1');
    expect(text).toContain('chronos_raft_term 5');
    expect(text).toContain('chronos_raft_role 2');
    expect(text).toContain('chronos_storage_size_bytes 1234');
    expect(text).toContain('chronos_raft_commit_index 42');
    expect(text).toContain('chronos_raft_applied_index 41');
    expect(text).toContain('chronos_wal_fsyncs_total 7');
    expect(text).toContain('chronos_write_stage_seconds_total{stage="replicate"} 0.002');
    expect(text).toContain('chronos_write_stage_total{stage="wal_save"} 1');
    expect(text).toContain('chronos_sql_request_duration_seconds_bucket{le="0.0025",kind="read"} 1');
  });

  const promtool = spawnSync('promtool', ['--version']).status === 0;
  it.skipIf(!promtool)('passes `promtool check metrics` (lint included)', async () => {
    const { app: server, metrics } = app();
    metrics.sqlRequests.inc({ kind: 'write' }, 2);
    metrics.sqlErrors.inc({ kind: 'write' });
    const response = await server.inject({ method: 'GET', url: '/metrics' });
    const check = spawnSync('promtool', ['check', 'metrics'], { input: response.body, encoding: 'utf8' });
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});

describe('POST /ingest', () => {
  it('answers 503 without --enable-ingest', async () => {
    const { app: server } = app();
    const response = await server.inject({ method: 'POST', url: '/ingest', payload: { device_id: 'esp-001' } });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ error: 'ingest is disabled on this node (start it with --enable-ingest)' });
  });
});

describe('POST /write and /api/v2/write', () => {
  it('answer 503 without --enable-ingest, each API in its own error shape', async () => {
    const { app: server } = app();
    const v1 = await server.inject({ method: 'POST', url: '/write?db=x', payload: 'm v=1' });
    expect(v1.statusCode).toBe(503);
    expect(v1.json()).toEqual({ error: 'line-protocol writes are disabled on this node (start it with --enable-ingest)' });
    const v2 = await server.inject({ method: 'POST', url: '/api/v2/write?bucket=x', payload: 'm v=1' });
    expect(v2.json()).toEqual({ code: 'unavailable', message: 'line-protocol writes are disabled on this node (start it with --enable-ingest)' });
  });

  it('pass the body text and the precision on, whatever the content type, open while no ingest token is set', async () => {
    const seen: { body: string; nanosPerUnit: bigint }[] = [];
    const metrics = new NodeMetrics({ status: () => leader, storageSizeBytes: async () => 0, walFsyncs: () => 0 });
    const server = buildAdminApp({ status: () => leader, metrics, auth: new TokenAuth({ admin: 'a', readonly: null, ingest: null }),
      write: { accept: async (write) => seen.push(write) } });
    for (const [url, type] of [['/write?db=x&precision=h', 'application/x-www-form-urlencoded'],
      ['/api/v2/write?bucket=x&precision=us', 'text/plain; charset=utf-8'], ['/write?db=x', 'application/json']] as const) {
      const response = await server.inject({ method: 'POST', url, payload: 'm v=1', headers: { 'content-type': type } });
      expect(response.statusCode).toBe(204);
    }
    expect(seen).toEqual([{ body: 'm v=1', nanosPerUnit: 3_600_000_000_000n }, { body: 'm v=1', nanosPerUnit: 1_000n },
      { body: 'm v=1', nanosPerUnit: 1n }]);
  });

  it.each([
    [undefined, 'm v=1', 401], [undefined, 'm v=1 '.repeat(20_000), 401], ['Token r-token', 'm v=1 '.repeat(20_000), 403],
    ['Token i-token', 'm v=1 '.repeat(20_000), 413], [undefined, '', 401],
  ])('check the token before the body: %s with a body of %#', async (authorization, payload, status) => {
    const metrics = new NodeMetrics({ status: () => leader, storageSizeBytes: async () => 0, walFsyncs: () => 0 });
    const server = buildAdminApp({ status: () => leader, metrics, auth: new TokenAuth({ admin: 'a', readonly: 'r-token', ingest: 'i-token' }),
      write: { accept: async () => 1 }, writeMaxBodyBytes: 65_536 });
    for (const url of ['/write?db=x', '/api/v2/write']) {
      const response = await server.inject({ method: 'POST', url, payload, headers: authorization === undefined ? {} : { authorization } });
      expect(response.statusCode, url).toBe(status);
    }
  });
});

describe('POST /ingest body', () => {
  it('hands accept what scan read from the bytes, else the parsed JSON; JSON errors stay 400', async () => {
    const seen: unknown[] = [];
    const endpoint = {
      accept: async (body: unknown) => { seen.push(body); return 1; },
      scan: (bytes: Uint8Array) => (Buffer.from(bytes).toString() === '{"fast":1}' ? 'scanned' : null),
      open: () => () => undefined,
    };
    const metrics = new NodeMetrics({ status: () => leader, storageSizeBytes: async () => 0, walFsyncs: () => 0 });
    const server = buildAdminApp({ status: () => leader, metrics, auth: new TokenAuth({ admin: null, readonly: null, ingest: null }), ingest: endpoint });
    const post = (payload: string) => server.inject({ method: 'POST', url: '/ingest', payload, headers: { 'content-type': 'application/json; charset=utf-8' } });
    expect((await post('{"fast":1}')).statusCode).toBe(202);
    expect((await post('{"slow": [1]}')).statusCode).toBe(202);
    expect(seen).toEqual(['scanned', { slow: [1] }]);
    for (const bad of ['{"a":', '', '{"__proto__": {"x": 1}}', '{"constructor": {"prototype": {"x": 1}}}']) {
      const response = await post(bad);
      expect(response.statusCode, bad).toBe(400);
      expect(response.json().error, bad).toMatch(/^the body is not valid JSON: /);
    }
    const prototype = await post('{"__proto__": {"x": 1}}');
    expect(prototype.json().error).toMatch(/"__proto__" or "constructor.prototype" key/);
    // Whatever the Content-Type: the message says what is wrong with the body, not with the header.
    const plain = await server.inject({ method: 'POST', url: '/ingest', payload: '{"device_id":"x","ts":1,', headers: { 'content-type': 'text/plain' } });
    expect(plain.statusCode).toBe(400);
    expect(plain.json().error).toMatch(/^the body is not valid JSON: .*JSON/);
    expect(plain.json().error).not.toMatch(/content-type/i);
    expect(seen).toHaveLength(2);
  });

  it('reads the body as JSON whatever the Content-Type, or with none (device firmware)', async () => {
    const seen: unknown[] = [];
    const endpoint = { accept: async (body: unknown) => { seen.push(body); return 1; }, scan: () => null, open: () => () => undefined };
    const metrics = new NodeMetrics({ status: () => leader, storageSizeBytes: async () => 0, walFsyncs: () => 0 });
    const server = buildAdminApp({ status: () => leader, metrics, auth: new TokenAuth({ admin: null, readonly: null, ingest: null }), ingest: endpoint });
    for (const type of [undefined, 'text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream']) {
      const headers: Record<string, string> = type === undefined ? {} : { 'content-type': type };
      const response = await server.inject({ method: 'POST', url: '/ingest', payload: Buffer.from('{"n":1}'), headers });
      expect(response.statusCode, type).toBe(202);
    }
    expect(seen).toEqual([{ n: 1 }, { n: 1 }, { n: 1 }, { n: 1 }]);
  });

  it('takes a gzipped body, 413 past the limit once decompressed, 415 for other encodings', async () => {
    const seen: unknown[] = [];
    const endpoint = { accept: async (body: unknown) => { seen.push(body); return 1; }, scan: () => null, open: () => () => undefined };
    const metrics = new NodeMetrics({ status: () => leader, storageSizeBytes: async () => 0, walFsyncs: () => 0 });
    const server = buildAdminApp({ status: () => leader, metrics, auth: new TokenAuth({ admin: null, readonly: null, ingest: null }),
      ingest: endpoint, ingestMaxBodyBytes: 4_096 });
    const post = (payload: Buffer, encoding: string) =>
      server.inject({ method: 'POST', url: '/ingest', payload, headers: { 'content-encoding': encoding } });
    expect((await post(gzipSync('{"n":1}'), 'gzip')).statusCode).toBe(202);
    expect(seen).toEqual([{ n: 1 }]);
    // Small on the wire, over the limit once decompressed.
    const bomb = await post(gzipSync(`{"pad":"${'x'.repeat(10_000)}"}`), 'gzip');
    expect(bomb.statusCode).toBe(413);
    expect(bomb.json().error).toMatch(/once decompressed/);
    const broken = await post(Buffer.from('not gzip'), 'gzip');
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error).toMatch(/does not decompress/);
    expect((await post(Buffer.from('{"n":1}'), 'br')).statusCode).toBe(415);
    expect(seen).toHaveLength(1);
  });
});

describe('POST /ingest limits', () => {
  it('answers 429 before reading the body when the limits refuse, and closes each request it opened once answered', async () => {
    let open = 0;
    let busy = false;
    const scanned: number[] = [];
    const endpoint = {
      accept: async () => 1,
      scan: (bytes: Uint8Array) => { scanned.push(bytes.length); return null; },
      open: () => {
        if (busy) throw new ChronosError('RESOURCE_EXHAUSTED', 'more than 1 ingest requests open (CHRONOS_INGEST_MAX_INFLIGHT); retry later');
        open += 1;
        return () => { open -= 1; };
      },
    };
    const metrics = new NodeMetrics({ status: () => leader, storageSizeBytes: async () => 0, walFsyncs: () => 0 });
    const server = buildAdminApp({ status: () => leader, metrics, auth: new TokenAuth({ admin: null, readonly: null, ingest: null }), ingest: endpoint });
    const payload = JSON.stringify({ device_id: 'esp-001', ts: 1, seq: 1, metrics: { t: 1 } });
    expect((await server.inject({ method: 'POST', url: '/ingest', payload })).statusCode).toBe(202);
    expect(open).toBe(0);
    busy = true;
    const refused = await server.inject({ method: 'POST', url: '/ingest', payload });
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toEqual({ error: expect.stringMatching(/CHRONOS_INGEST_MAX_INFLIGHT/) });
    expect(scanned).toEqual([payload.length]);
  });
});

describe('POST /ingest auth', () => {
  const endpoint = { accept: async () => 1, scan: () => null, open: () => () => undefined };
  const build = (tokens: { admin: string | null; readonly: string | null; ingest: string | null }) => {
    const metrics = new NodeMetrics({ status: () => leader, storageSizeBytes: async () => 0, walFsyncs: () => 0 });
    return buildAdminApp({ status: () => leader, metrics, auth: new TokenAuth(tokens), ingest: endpoint });
  };
  const body = { device_id: 'esp-001', ts: 1, seq: 1, metrics: { t: 1 } };

  it('stays open (the guide\'s devices send no token) while no ingest token is set', async () => {
    const server = build({ admin: 'a-token', readonly: 'r-token', ingest: null });
    const response = await server.inject({ method: 'POST', url: '/ingest', payload: body });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({ status: 'queued' });
  });

  it.each([
    [undefined, 401], ['Bearer wrong', 401], ['Bearer r-token', 403], ['Bearer i-token', 202], ['Bearer a-token', 202],
  ])('with CHRONOS_AUTH_TOKEN_INGEST set, %s answers %i', async (authorization, status) => {
    const server = build({ admin: 'a-token', readonly: 'r-token', ingest: 'i-token' });
    const response = await server.inject({ method: 'POST', url: '/ingest', payload: body,
      headers: authorization === undefined ? {} : { authorization } });
    expect(response.statusCode).toBe(status);
  });

  it.each([
    [undefined, '{oops', 401], [undefined, 'x'.repeat(200_000), 401], ['Bearer r-token', 'x'.repeat(200_000), 403],
    ['Bearer r-token', '{oops', 403], ['Bearer i-token', '{oops', 400], ['Bearer i-token', 'x'.repeat(200_000), 413],
  ])('checks the token before the body: %s with a body of %#', async (authorization, payload, status) => {
    const server = build({ admin: 'a-token', readonly: 'r-token', ingest: 'i-token' });
    const response = await server.inject({ method: 'POST', url: '/ingest', payload,
      headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) } });
    expect(response.statusCode).toBe(status);
  });
});

describe('admin auth', () => {
  const tokens = { admin: 'a-token', readonly: 'r-token', ingest: 'i-token' };
  it.each([
    ['/health', undefined, 401],
    ['/health', 'Bearer wrong', 401],
    ['/health', 'Basic a-token', 401],
    ['/health', 'Bearer r-token', 200],
    ['/health', 'Bearer a-token', 200],
    ['/health', 'bearer a-token', 200],
    ['/health', 'Bearer i-token', 403],
    ['/metrics', undefined, 401],
    ['/metrics', 'Bearer r-token', 200],
    ['/metrics', 'Bearer a-token', 200],
  ])('%s with %s answers %i', async (url, authorization, status) => {
    const { app: server } = app(leader, tokens);
    const response = await server.inject({
      method: 'GET', url, headers: authorization === undefined ? {} : { authorization },
    });
    expect(response.statusCode).toBe(status);
  });

  it('challenges every 401 with WWW-Authenticate and names the token to send', async () => {
    const { app: server } = app(leader, tokens);
    for (const [url, method] of [['/health', 'GET'], ['/snapshot', 'GET'], ['/cluster/add-node', 'POST']] as const) {
      const response = await server.inject({ method, url, headers: { authorization: 'Bearer wrong' } });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="chronosdb", error="invalid_token"');
      expect(response.json<{ error: string }>().error).toMatch(/^unauthenticated: invalid bearer token .*CHRONOS_AUTH_TOKEN_ADMIN/);
    }
    const missing = await server.inject({ method: 'GET', url: '/metrics' });
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="chronosdb", error="invalid_request"');
  });

  it('answers 405 with Allow for a known path under another method, 404 for an unknown path', async () => {
    const { app: server } = app();
    const post = await server.inject({ method: 'POST', url: '/health?x=1' });
    expect(post.statusCode).toBe(405);
    expect(post.headers['allow']).toBe('GET, HEAD');
    expect(post.json<{ error: string }>().error).toBe('POST is not allowed on /health; use GET or HEAD');
    const get = await server.inject({ method: 'GET', url: '/ingest' });
    expect(get.statusCode).toBe(405);
    expect(get.headers['allow']).toBe('POST');
    const unknown = await server.inject({ method: 'GET', url: '/nope' });
    expect(unknown.statusCode).toBe(404);
  });

  it('is open when no token is configured', async () => {
    const { app: server } = app();
    expect((await server.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });

  it('reads tokens from the environment, empty values meaning unset', () => {
    expect(tokenConfigFromEnv({ CHRONOS_AUTH_TOKEN_ADMIN: 'x', CHRONOS_AUTH_TOKEN_READONLY: '' })).toEqual({
      admin: 'x', readonly: null, ingest: null,
    });
    expect(bearerToken('Bearer  abc ')).toBe('abc');
    expect(bearerToken('Bearer')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });

  it('grants the level of the token presented, and nothing for near misses', () => {
    const auth = new TokenAuth(tokens);
    expect(auth.check('Bearer a-token')).toEqual({ ok: true, level: 'admin' });
    expect(auth.check('Bearer r-token')).toEqual({ ok: true, level: 'readonly' });
    expect(auth.check('Bearer a-token2')).toEqual({ ok: false, reason: 'invalid' });
    expect(auth.check('Bearer a-toke')).toEqual({ ok: false, reason: 'invalid' });
    expect(auth.check(null)).toEqual({ ok: false, reason: 'missing' });
  });
});

describe('POST /cluster/add-node and /cluster/remove-node', () => {
  const members = { voters: ['node1', 'node2', 'node3'], learners: ['node4'], addresses: {} };
  const build = (change: (request: unknown) => Promise<typeof members>, admin: string | null = null) => {
    const metrics = new NodeMetrics({ status: () => leader, storageSizeBytes: async () => 0, walFsyncs: () => 0 });
    return buildAdminApp({ status: () => leader, metrics, changeMembership: change,
      auth: new TokenAuth({ admin, readonly: admin === null ? null : 'ro', ingest: null }) });
  };

  it('passes a valid change on and answers the members', async () => {
    const seen: unknown[] = [];
    const server = build(async (request) => { seen.push(request); return members; });
    const add = await server.inject({ method: 'POST', url: '/cluster/add-node',
      payload: { id: 'node4', address: '10.0.0.4:8003' } });
    expect(add.statusCode).toBe(200);
    expect(add.json()).toEqual({ status: 'ok', ...members });
    const remove = await server.inject({ method: 'POST', url: '/cluster/remove-node', payload: { id: 'node2' } });
    expect(remove.statusCode).toBe(200);
    expect(seen).toEqual([{ action: 'add', id: 'node4', address: '10.0.0.4:8003' }, { action: 'remove', id: 'node2' }]);
  });

  it('answers 400 naming the field, 401/403 without the admin token, 503 when the cluster cannot', async () => {
    const server = build(async () => members, 'secret');
    const bad = await server.inject({ method: 'POST', url: '/cluster/add-node',
      headers: { authorization: 'Bearer secret' }, payload: { id: 'node4' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: 'missing "address" (the new node\'s gRPC HOST:PORT)' });
    const none = await server.inject({ method: 'POST', url: '/cluster/remove-node', payload: { id: 'node2' } });
    expect(none.statusCode).toBe(401);
    const readonly = await server.inject({ method: 'POST', url: '/cluster/remove-node',
      headers: { authorization: 'Bearer ro' }, payload: { id: 'node2' } });
    expect(readonly.statusCode).toBe(403);
    // The token before the body: a malformed body without it is a 401, not a 400 about the JSON.
    const malformed = await server.inject({ method: 'POST', url: '/cluster/add-node',
      headers: { 'content-type': 'application/json' }, payload: '{oops' });
    expect(malformed.statusCode).toBe(401);
    const failing = build(async () => {
      throw new ChronosError('UNAVAILABLE', 'a membership change is already in progress');
    });
    const busy = await failing.inject({ method: 'POST', url: '/cluster/remove-node', payload: { id: 'node2' } });
    expect(busy.statusCode).toBe(503);
    expect(busy.json()).toEqual({ error: 'a membership change is already in progress' });
  });
});
