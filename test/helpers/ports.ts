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
 * Ports are drawn from a range other tests rarely use and checked by binding them.
 */
export async function freeNodePort(taken: ReadonlySet<number> = new Set()): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if (taken.has(port) || taken.has(port + 1000) || taken.has(port - 1000)) continue;
    if ((await portIsFree(port)) && (await portIsFree(port + 1000))) return port;
  }
  throw new Error('no free port pair found in 200 attempts');
}
