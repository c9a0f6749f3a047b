import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SyncClient } from '../../src/api/grpc/index.js';
import { waitFor } from '../helpers/node-process.js';

const servers: Server[] = [];
const sockets: Socket[] = [];
/** Bytes the frozen target has received: the batch is in flight once they arrive. */
let received = 0;
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A target that takes the connection and never answers (a node stopped with SIGSTOP). */
async function frozenTarget(): Promise<number> {
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('data', (chunk: Buffer) => (received += chunk.length));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('the edge sync client', () => {
  it('ends a batch in flight to a frozen target when closed, instead of waiting out its 30 s deadline', async () => {
    const port = await frozenTarget();
    const client = new SyncClient({ address: `127.0.0.1:${port}`, tls: null, token: null });
    const shipped = client.sync('edge1', [{ id: 1n, data: new Uint8Array([1]) }]);
    const outcome = shipped.then(() => 'answered', (error: unknown) => String(error));
    // The call is in flight once the target has the connection's first bytes (it never answers them).
    await waitFor('the batch to reach the target', 10_000, () => Promise.resolve(received > 0 ? true : null));
    const closedAt = performance.now();
    client.close();
    expect(await outcome).toMatch(/cancel/i);
    expect(performance.now() - closedAt).toBeLessThan(5_000);
  });
});
