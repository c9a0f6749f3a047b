import { createServer } from 'node:net';

/** True when 127.0.0.1:port can be bound right now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/**
 * A gRPC port whose admin port (port + 1000) is free too, as `chronos node` needs both.
 * Ports are drawn from 20000-30999, checked by binding them. Both stay below Linux's ephemeral
 * range (32768 up), where a client socket of a test running beside this one could take a port
 * between the check and the node's bind: a node then failed to start ("waiting for cloud
 * leading" in CI).
 */
export async function freeNodePort(taken: ReadonlySet<number> = new Set()): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 11_000);
    if (taken.has(port) || taken.has(port + 1000) || taken.has(port - 1000)) continue;
    if ((await portIsFree(port)) && (await portIsFree(port + 1000))) return port;
  }
  throw new Error('no free port pair found in 200 attempts');
}
