import { connect } from 'node:tls';
import type { ConnectionOptions } from 'node:tls';
import type { TlsMaterial } from './credentials.js';

/** How long a probe may take: a node that neither finishes nor refuses by then says nothing. */
export const TLS_PROBE_MS_MAX = 1_000;

/** HOST and PORT of `HOST:PORT` or `[V6]:PORT`; null when there is no port to dial. */
function hostAndPort(address: string): { readonly host: string; readonly port: number } | null {
  const match = /^\[?(.+?)\]?:(\d{1,5})$/.exec(address);
  if (match === null || match[1] === undefined || match[2] === undefined) return null;
  return { host: match[1], port: Number(match[2]) };
}

/**
 * Our own handshake with a node that closed a gRPC connection unanswered (tls-mismatch.ts
 * `closedUnanswered`), to tell a TLS mismatch from a proxy with nothing behind it or a node
 * dying, which close the same way. Offering h2 keeps the node's HTTP/2 server from dropping
 * us for the protocol. Certificates are not checked here: a wrong CA or name fails grpc-js
 * in words of its own, and is never silent.
 */
function probeOptions(host: string, port: number, tls: TlsMaterial | null): ConnectionOptions {
  const options: ConnectionOptions = { host, port, rejectUnauthorized: false, ALPNProtocols: ['h2'] };
  if (tls === null) return options;
  return {
    ...options,
    servername: tls.domain ?? undefined,
    ...(tls.cert === null || tls.key === null ? {} : { cert: tls.cert, key: tls.key }),
  };
}

/**
 * True when the node's silence was TLS. A plaintext client: the node completes a TLS
 * handshake, so it wanted TLS. A TLS client: the node completes the handshake and then closes
 * before it sends a session ticket, which is how a TLS 1.3 node refuses a client certificate
 * (a node that accepts it sends tickets at once). Anything else, or nothing within
 * `TLS_PROBE_MS_MAX`, is false: the failure may well pass.
 */
export function probeTlsMismatch(address: string, tls: TlsMaterial | null): Promise<boolean> {
  const target = hostAndPort(address);
  if (target === null) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = connect(probeOptions(target.host, target.port, tls));
    let handshakeDone = false;
    // The first event decides; later ones (the close after an error) resolve nothing more.
    const settle = (mismatch: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(mismatch);
    };
    const timer = setTimeout(() => settle(false), TLS_PROBE_MS_MAX);
    socket.once('secureConnect', () => {
      handshakeDone = true;
      if (tls === null) settle(true);
    });
    socket.once('session', () => settle(false));
    socket.on('error', () => settle(handshakeDone && tls !== null));
    socket.once('close', () => settle(handshakeDone && tls !== null));
  });
}
