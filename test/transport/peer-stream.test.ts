import { afterEach, describe, expect, it } from 'vitest';
import type { AppendRequest, RaftMessage } from '../../src/raft/messages.js';
import { TokenAuth } from '../../src/auth/index.js';
import type { GrpcServer } from '../../src/transport/index.js';
import { nodeGrpcServer } from '../../src/cli/grpc-endpoint.js';
import { PeerClients } from '../../src/transport/peer-client.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function streamServer(received: RaftMessage[], port = 0, token: string | null = null): Promise<GrpcServer & { port: number }> {
  const server = nodeGrpcServer({
    host: '127.0.0.1',
    port,
    tls: null,
    raft: () => Promise.resolve(null),
    raftStream: (message) => received.push(message),
    sql: () => Promise.reject(new Error('no sql here')),
    auth: new TokenAuth({ admin: token, readonly: null, ingest: null }),
  });
  const started = await server.start();
  return Object.assign(server, { port: started.port });
}

function append(i: number): AppendRequest {
  return {
    type: 'append', from: 'node1', to: 'node2', term: 4, prevLogIndex: i, prevLogTerm: 4,
    entries: [{ index: i + 1, term: 4, type: 'command', data: Uint8Array.of(i % 256, 7) }],
    commit: i, readContext: i % 3, commitOnly: false,
  };
}

async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the Raft stream between two nodes', () => {
  it('delivers every message once, in order, without a call per message', async () => {
    const received: RaftMessage[] = [];
    const server = await streamServer(received);
    cleanups.push(() => server.stop(100));
    const peers = new PeerClients(new Map([['node2', `127.0.0.1:${server.port}`]]));
    cleanups.push(() => peers.close());
    const sent = Array.from({ length: 500 }, (_, i) => append(i));
    for (const message of sent) expect(peers.stream(message)).toBe(true);
    await until('500 messages', () => received.length >= 500);
    expect(received).toEqual(sent);
  });

  it('opens a new stream after the peer restarts', async () => {
    const first: RaftMessage[] = [];
    const server = await streamServer(first);
    const port = server.port;
    const failures: string[] = [];
    const peers = new PeerClients(new Map([['node2', `127.0.0.1:${port}`]]), {
      onFailure: (failure) => failures.push(failure.rpc),
    });
    cleanups.push(() => peers.close());
    peers.stream(append(1));
    await until('the first message', () => first.length === 1);
    await server.stop(0);
    await until('the stream to break', () => failures.includes('Stream'));
    const second: RaftMessage[] = [];
    const restarted = await streamServer(second, port);
    cleanups.push(() => restarted.stop(100));
    // Messages sent while reconnecting may be lost (Raft resends); later ones arrive.
    await until('a message on the new stream', () => {
      peers.stream(append(2));
      return second.length > 0;
    }, 10_000);
    expect(second[0]).toEqual(append(2));
  });

  it('is refused without the peer token when the server requires one', async () => {
    const received: RaftMessage[] = [];
    const server = await streamServer(received, 0, 'peer-secret');
    cleanups.push(() => server.stop(100));
    const statuses: (number | null)[] = [];
    const intruder = new PeerClients(new Map([['node2', `127.0.0.1:${server.port}`]]), {
      token: null,
      onFailure: (failure) => statuses.push(failure.grpcStatus),
    });
    cleanups.push(() => intruder.close());
    intruder.stream(append(1));
    await until('the refusal', () => statuses.includes(16));
    expect(received).toEqual([]);
    const member = new PeerClients(new Map([['node2', `127.0.0.1:${server.port}`]]), { token: 'peer-secret' });
    cleanups.push(() => member.close());
    member.stream(append(3));
    await until('the member message', () => received.length === 1);
    expect(received[0]).toEqual(append(3));
  });
});
