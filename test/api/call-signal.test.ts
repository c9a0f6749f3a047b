import { afterEach, describe, expect, it } from 'vitest';
import { Client, Server, ServerCredentials, credentials, Metadata } from '@grpc/grpc-js';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { withCallSignal } from '../../src/api/grpc/call-context.js';
import type { Reply, UnaryCall } from '../../src/api/grpc/call-context.js';
import type { Cancellation } from '../../src/lib/index.js';

// A real grpc-js server and client on loopback: the signal must follow the call's own fate.
const raw = (bytes: Buffer): Buffer => bytes;
const service: ServiceDefinition = {
  hold: {
    path: '/test.Hold/Hold', requestStream: false, responseStream: false,
    requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw,
  },
};
const context = { token: null, user: null, peer: '127.0.0.1:1' } as const;

let server: Server | null = null;
let client: Client | null = null;
afterEach(() => {
  client?.close();
  server?.forceShutdown();
  client = null;
  server = null;
});

/** Serves Hold, which keeps each call open until `release` answers it; resolves to the port. */
async function serve(onCall: (signal: Cancellation, release: () => void) => void): Promise<number> {
  server = new Server();
  server.addService(service, {
    hold: (call: UnaryCall, reply: Reply) => {
      const { signal } = withCallSignal(call, context);
      onCall(signal!, () => reply(null, Buffer.from('done')));
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server!.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  return port;
}

function call(deadlineMs: number): { cancel: () => void; ended: Promise<string> } {
  let cancel = (): void => undefined;
  const ended = new Promise<string>((resolve) => {
    const c = client!.makeUnaryRequest('/test.Hold/Hold', raw, raw, Buffer.from('x'), new Metadata(),
      { deadline: new Date(Date.now() + deadlineMs) }, (error) => resolve(error === null ? 'ok' : String(error.code)));
    cancel = () => c.cancel();
  });
  return { cancel, ended };
}

async function until(check: () => boolean, ms = 2_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('a call\'s signal', () => {
  it('reads aborted once the client cancels the call, not before', async () => {
    const seen: { signal: Cancellation | null } = { signal: null };
    await serve((signal) => { seen.signal = signal; });
    const held = call(10_000);
    await until(() => seen.signal !== null);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen.signal?.aborted).toBe(false);
    held.cancel();
    await until(() => seen.signal?.aborted === true);
    expect(await held.ended).toBe('1');
  });

  it('reads aborted once the call\'s deadline passes', async () => {
    const seen: { signal: Cancellation | null } = { signal: null };
    await serve((signal) => { seen.signal = signal; });
    const held = call(150);
    await until(() => seen.signal !== null);
    expect(seen.signal?.aborted).toBe(false);
    await until(() => seen.signal?.aborted === true);
    expect(await held.ended).toBe('4');
  });

  it('stays unaborted through a call answered in time', async () => {
    const seen: { signal: Cancellation | null } = { signal: null };
    await serve((signal, release) => {
      seen.signal = signal;
      expect(signal.aborted).toBe(false);
      release();
    });
    expect(await call(10_000).ended).toBe('ok');
    expect(seen.signal).not.toBeNull();
  });
});
