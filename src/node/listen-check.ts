import { createServer } from 'node:net';
import { ChronosError, errorMessage } from '../lib/index.js';

/** A port the node is about to listen on, and where the operator set it. */
export interface PlannedListener {
  readonly host: string;
  readonly port: number;
  /** e.g. "gRPC, set by --address". */
  readonly role: string;
}

/**
 * Binds and releases each planned port, so a port in use is reported as one line naming it
 * before the node creates its data dir or starts Raft. Port 0 (any free port) is not checked.
 */
export async function checkPortsFree(listeners: readonly PlannedListener[]): Promise<void> {
  for (const listener of listeners) {
    if (listener.port === 0) continue;
    const failure = await tryListen(listener.host, listener.port);
    if (failure !== null) throw listenError(listener, failure);
  }
}

function tryListen(host: string, port: number): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(null)));
  });
}

/** The one line an operator needs for a port the node cannot listen on. */
export function listenError(listener: PlannedListener, error: NodeJS.ErrnoException): ChronosError {
  const where = `${listener.host}:${listener.port} (${listener.role})`;
  switch (error.code) {
    case 'EADDRINUSE':
      return new ChronosError('CONFIG_ERROR',
        `port ${listener.port} is already in use: cannot listen on ${where}; ` +
        'stop the process holding it or choose another --address');
    case 'EACCES':
      return new ChronosError('CONFIG_ERROR',
        `not allowed to listen on ${where}: ports below 1024 need privileges; choose another --address`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new ChronosError('CONFIG_ERROR',
        `cannot listen on ${where}: ${listener.host} is not an address of this machine`);
    default:
      return new ChronosError('CONFIG_ERROR', `cannot listen on ${where}: ${errorMessage(error)}`);
  }
}
