import { createServer } from 'node:net';
import type { Server as NetServer, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { GrpcServer } from '../../src/transport/index.js';
import { nodeGrpcServer } from '../../src/cli/grpc-endpoint.js';
import type { ForwardSqlHandler } from '../../src/transport/handlers.js';
import { forwardNeverSent } from '../../src/transport/forward-failure.js';
import { PeerClients } from '../../src/transport/peer-client.js';
import type { ForwardResult, PeerFailure } from '../../src/transport/peer-client.js';
import { freeNodePort } from '../helpers/ports.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A real gRPC server whose ForwardSql is `forwardSql`. */
async function leaderAt(forwardSql: ForwardSqlHandler): Promise<{ address: string; server: GrpcServer }> {
  const server = nodeGrpcServer({
    host: '127.0.0.1',
    port: 0,
    tls: null,
    raft: () => Promise.resolve(null),
    sql: () => Promise.reject(new Error('no sql here')),
    forwardSql,
  });
  const { port } = await server.start();
  cleanups.push(() => server.stop(0));
  return { address: `127.0.0.1:${port}`, server };
}

/** A TCP listener that accepts and then says nothing: a partitioned host with its port open. */
async function silentListener(): Promise<string> {
  const sockets: Socket[] = [];
  const server: NetServer = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => {
    for (const socket of sockets) socket.destroy();
    server.close(() => resolve());
  }));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return `127.0.0.1:${address.port}`;
}

async function forwardTo(address: string, deadlineMs = 800): Promise<PeerFailure> {
  const peers = new PeerClients(new Map([['leader', address]]), { forwardDeadlineMs: deadlineMs });
  cleanups.push(() => peers.close());
  const result: ForwardResult = await peers.forwardSql('leader', ['INSERT INTO t VALUES (1)'], { user: null, token: null });
  if (result.ok) throw new Error('the forward was expected to fail');
  return result.failure;
}

describe('a failed forward tells "never sent" from "sent"', () => {
  it('a leader whose port refuses connections: never sent', async () => {
    const port = await freeNodePort();
    expect(forwardNeverSent(await forwardTo(`127.0.0.1:${port}`))).toBe(true);
  });

  it('a host that accepts TCP but never speaks HTTP/2 (partitioned): never sent', async () => {
    const failure = await forwardTo(await silentListener());
    expect(failure.reason).toBe('deadline');
    expect(forwardNeverSent(failure)).toBe(true);
  });

  it('a leader that received the write and did not answer in time: sent, outcome unknown', async () => {
    let received = 0;
    const { address } = await leaderAt(async () => {
      received += 1;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      return [];
    });
    const failure = await forwardTo(address);
    expect(received).toBe(1);
    expect(failure.reason).toBe('deadline');
    expect(forwardNeverSent(failure)).toBe(false);
  });

  it('a leader that went away while running the write: sent, outcome unknown', async () => {
    let stop: (() => void) | null = null;
    const { address, server } = await leaderAt(() => {
      // The write arrived; the leader dies before answering.
      stop?.();
      return new Promise(() => undefined);
    });
    stop = () => void server.stop(0);
    const failure = await forwardTo(address, 5_000);
    expect(forwardNeverSent(failure)).toBe(false);
  });
});
