import { createServer } from 'node:net';
import type { Server as NetServer, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppendRequest, RaftMessage, SnapshotRequest } from '../../src/raft/messages.js';
import { TokenAuth } from '../../src/auth/index.js';
import { nodeGrpcServer } from '../../src/cli/grpc-endpoint.js';
import type { NodeGrpcOptions } from '../../src/cli/grpc-endpoint.js';
import type { RaftRequestHandler } from '../../src/transport/handlers.js';
import { PeerClients } from '../../src/transport/peer-client.js';
import type { PeerFailure } from '../../src/transport/peer-client.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startNode(
  raft: RaftRequestHandler,
  extra: Partial<NodeGrpcOptions> = {},
): Promise<string> {
  const server = nodeGrpcServer({
    host: '127.0.0.1',
    port: 0,
    tls: null,
    raft,
    sql: () => Promise.reject(new Error('no sql here')),
    ...extra,
  });
  const { port } = await server.start();
  cleanups.push(() => server.stop(100));
  return `127.0.0.1:${port}`;
}

function clients(peers: Record<string, string>, options: ConstructorParameters<typeof PeerClients>[1] = {}): PeerClients {
  const peerClients = new PeerClients(new Map(Object.entries(peers)), options);
  cleanups.push(() => peerClients.close());
  return peerClients;
}

function append(i: number): AppendRequest {
  return {
    type: 'append',
    from: 'node1',
    to: 'node2',
    term: 3,
    prevLogIndex: i,
    prevLogTerm: 3,
    entries: [{ index: i + 1, term: 3, type: 'command', data: new Uint8Array([i % 256]) }],
    commit: i,
    readContext: 0,
    commitOnly: false,
  };
}

/** A follower that answers every append, echoing its last index. */
const answer = (request: RaftMessage): RaftMessage => {
  if (request.type !== 'append') throw new Error(`unexpected ${request.type}`);
  const last = request.entries.at(-1)?.index ?? request.prevLogIndex;
  return {
    type: 'appendResponse',
    from: request.to,
    to: request.from,
    term: request.term,
    success: true,
    matchIndex: last,
    rejectHintIndex: 0,
    rejectHintTerm: 0,
    readContext: request.readContext,
    recovering: false,
  };
};

describe('PeerClients against a real GrpcServer', () => {
  it('keeps many appends in flight at once on one channel', async () => {
    const inFlightTarget = 64;
    const waiting: Array<() => void> = [];
    let maxSeen = 0;
    // The handler holds every reply until all requests have arrived: serialized calls would hang.
    const address = await startNode(async (request) => {
      await new Promise<void>((resolve) => {
        waiting.push(resolve);
        maxSeen = Math.max(maxSeen, waiting.length);
        if (waiting.length === inFlightTarget) for (const release of waiting.splice(0)) release();
      });
      return answer(request);
    });
    const peers = clients({ node2: address }, { rpcDeadlineMs: 10_000 });
    const replies = await Promise.all(
      Array.from({ length: inFlightTarget }, (_, i) => peers.send(append(i))),
    );
    expect(maxSeen).toBe(inFlightTarget);
    expect(replies.map((reply) => (reply?.type === 'appendResponse' ? reply.matchIndex : -1))).toEqual(
      Array.from({ length: inFlightTarget }, (_, i) => i + 1),
    );
  });

  it('routes a pre-vote to PreVote and a vote to RequestVote', async () => {
    const seen: string[] = [];
    const address = await startNode((request) => {
      if (request.type !== 'vote') throw new Error('vote expected');
      seen.push(request.preVote ? 'pre' : 'real');
      return Promise.resolve({
        type: 'voteResponse',
        from: request.to,
        to: request.from,
        term: request.term,
        preVote: request.preVote,
        granted: request.preVote,
        recovering: false,
      });
    });
    const peers = clients({ node2: address });
    const vote = { type: 'vote', from: 'node1', to: 'node2', term: 4, lastLogIndex: 9, lastLogTerm: 3, leadershipTransfer: false, recovering: false } as const;
    const pre = await peers.send({ ...vote, preVote: true });
    const real = await peers.send({ ...vote, preVote: false });
    expect(pre).toEqual({ type: 'voteResponse', from: 'node2', to: 'node1', term: 4, preVote: true, granted: true, recovering: false });
    expect(real).toEqual({ type: 'voteResponse', from: 'node2', to: 'node1', term: 4, preVote: false, granted: false, recovering: false });
    expect(seen).toEqual(['pre', 'real']);
  });

  it('streams a 3 MiB snapshot in 1 MiB chunks and gets the reply', async () => {
    let received: SnapshotRequest | null = null;
    const address = await startNode((request) => {
      if (request.type !== 'snapshot') throw new Error('snapshot expected');
      received = request;
      return Promise.resolve(answer({ ...append(request.meta.index), entries: [] }));
    });
    const data = new Uint8Array(3 * 1024 * 1024 + 17);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 12)) % 251;
    const snapshot: SnapshotRequest = {
      type: 'snapshot',
      from: 'node1',
      to: 'node2',
      term: 5,
      meta: { index: 1000, term: 4, membership: { voters: ['node1', 'node2', 'node3'] } },
      data,
    };
    const peers = clients({ node2: address });
    const result = await peers.call(snapshot);
    expect(result.ok && result.reply?.type === 'appendResponse' && result.reply.matchIndex).toBe(1000);
    expect(received).not.toBeNull();
    const got = received as unknown as SnapshotRequest;
    expect(got.meta).toEqual(snapshot.meta);
    expect(got.data.byteLength).toBe(data.byteLength);
    expect(Buffer.from(got.data).equals(Buffer.from(data))).toBe(true);
  });

  it('answers TimeoutNow with no reply', async () => {
    const seen: string[] = [];
    const address = await startNode((request) => {
      seen.push(request.type);
      return Promise.resolve(null);
    });
    const peers = clients({ node2: address });
    const result = await peers.call({ type: 'timeoutNow', from: 'node1', to: 'node2', term: 2 });
    expect(result).toEqual({ ok: true, reply: null });
    expect(seen).toEqual(['timeoutNow']);
  });

  it('resolves a refused connection as an unavailable failure, quickly', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const failures: PeerFailure[] = [];
    const peers = clients({ node2: `127.0.0.1:${port}` }, { onFailure: (f) => failures.push(f) });
    const started = performance.now();
    const reply = await peers.send(append(1));
    expect(reply).toBeNull();
    expect(performance.now() - started).toBeLessThan(1500);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ to: 'node2', rpc: 'AppendEntries', reason: 'unavailable' });
  });

  it('resolves a silent peer as a deadline failure at the deadline', async () => {
    const sockets: Socket[] = [];
    const silent: NetServer = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          silent.close(() => resolve());
        }),
    );
    const port = (silent.address() as { port: number }).port;
    const peers = clients({ node2: `127.0.0.1:${port}` }, { rpcDeadlineMs: 300 });
    const started = performance.now();
    const result = await peers.call(append(1));
    const elapsed = performance.now() - started;
    expect(result.ok).toBe(false);
    expect(!result.ok && result.failure.reason).toBe('deadline');
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2000);
  });

  it('fails fast for an unknown peer and after close, never throwing', async () => {
    const peers = new PeerClients(new Map());
    const unknown = await peers.call(append(1));
    expect(!unknown.ok && unknown.failure.reason).toBe('unknown-peer');
    peers.close();
    const closed = await peers.call(append(1));
    expect(!closed.ok && closed.failure.reason).toBe('closed');
  });

  it('follows updatePeers to a new address', async () => {
    const first = await startNode((request) => Promise.resolve(answer(request)));
    const peers = clients({ node2: '127.0.0.1:1' }, { rpcDeadlineMs: 2000 });
    peers.updatePeers(new Map([['node2', first]]));
    const reply = await peers.send(append(5));
    expect(reply?.type === 'appendResponse' && reply.matchIndex).toBe(6);
  });

  it('refuses Raft calls without the peer token, accepts them with it', async () => {
    const address = await startNode((request) => Promise.resolve(answer(request)), { auth: new TokenAuth({ admin: 'admin-secret', readonly: null, ingest: null }) });
    const anonymous = await clients({ node2: address }).call(append(1));
    expect(!anonymous.ok && anonymous.failure.reason).toBe('rejected');
    expect(!anonymous.ok && anonymous.failure.message).toMatch(/without a bearer token/);
    const wrong = await clients({ node2: address }, { token: 'nope' }).call(append(1));
    expect(!wrong.ok && wrong.failure.message).toMatch(/invalid bearer token/);
    const good = await clients({ node2: address }, { token: 'admin-secret' }).call(append(1));
    expect(good.ok && good.reply?.type).toBe('appendResponse');
  });

  it('forwards statements with the caller identity and returns each outcome', async () => {
    const seen: unknown[] = [];
    const address = await startNode((request) => Promise.resolve(answer(request)), {
      forwardSql: (statements, context) => {
        seen.push({ statements, token: context.token, user: context.user });
        return Promise.resolve([
          { ok: true, result: { kind: 'message', message: 'Inserted into sensors', rowsAffected: 2 } },
          { ok: false, error: new (class extends Error {})('boom') },
        ]);
      },
    });
    const peers = clients({ leader: address });
    const result = await peers.forwardSql('leader', ['INSERT 1', 'INSERT 2'], { user: 'readonly', token: 'tok' });
    expect(seen).toEqual([{ statements: ['INSERT 1', 'INSERT 2'], token: 'tok', user: 'readonly' }]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.outcomes[0]).toEqual({
      ok: true,
      result: { kind: 'message', message: 'Inserted into sensors', rowsAffected: 2 },
    });
    expect(result.outcomes[1]?.ok).toBe(false);
    const anonymous = await peers.forwardSql('leader', ['SELECT 1'], { user: null, token: null });
    expect(anonymous.ok).toBe(true);
    expect(seen[1]).toEqual({ statements: ['SELECT 1'], token: null, user: null });
  });
});
