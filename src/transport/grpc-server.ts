import { Server } from '@grpc/grpc-js';
import type { ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import { ChronosError, errorMessage, assert } from '../lib/index.js';
import { NO_CHANNELZ, serverCredentials } from './credentials.js';
import type { TlsMaterial } from './credentials.js';
import { protoService } from './proto-loader.js';
import type { ServiceName } from './proto-loader.js';

/** Largest gRPC message accepted: big AppendEntries batches fit; snapshots are chunked. */
export const GRPC_MESSAGE_BYTES_MAX = 64 * 1024 * 1024;

/** One service of proto/raft.proto and the implementation a GrpcServer serves it with. */
export interface GrpcService {
  readonly name: ServiceName;
  readonly implementation: UntypedServiceImplementation;
  /**
   * Ends what the service holds open when the server stops (a peer's Raft stream never ends
   * by itself, and the server would otherwise wait out its grace period on it).
   */
  readonly close?: (() => void) | undefined;
  /** Methods whose requests reach the implementation as the bytes that came (it decodes them). */
  readonly bytesRequests?: readonly string[];
}

/** Where the server listens and what it serves; the composition root picks the services. */
export interface GrpcServerOptions {
  readonly host: string;
  /** 0 = any free port (tests). */
  readonly port: number;
  readonly tls: TlsMaterial | null;
  readonly services: readonly GrpcService[];
}

/**
 * The service with answers that are already bytes (a Buffer) sent as they are: a handler
 * that encodes a large answer itself, a slice at a time between turns of the event loop
 * (sql-response-bytes.ts), hands the bytes over instead of an object to encode in one call.
 * Requests of `bytesRequests` are handed over undecoded.
 */
function passingBytesThrough(definition: ServiceDefinition, bytesRequests: readonly string[]): ServiceDefinition {
  const methods = Object.entries(definition).map(([name, method]) => {
    const encode = method.responseSerialize;
    const responseSerialize = (value: unknown): Buffer => (Buffer.isBuffer(value) ? value : encode(value));
    const requestDeserialize = bytesRequests.includes(name) ? (bytes: Buffer): Buffer => bytes : method.requestDeserialize;
    return [name, { ...method, responseSerialize, requestDeserialize }];
  });
  return Object.fromEntries(methods) as ServiceDefinition;
}

/** A gRPC server on HOST:PORT serving the services it is given (Raft and client alike). */
export class GrpcServer {
  readonly #options: GrpcServerOptions;
  readonly #server: Server;
  #state: 'new' | 'started' | 'stopped' = 'new';

  constructor(options: GrpcServerOptions) {
    this.#options = options;
    this.#server = new Server({
      ...NO_CHANNELZ,
      'grpc.max_receive_message_length': GRPC_MESSAGE_BYTES_MAX,
      'grpc.max_send_message_length': GRPC_MESSAGE_BYTES_MAX,
    });
    for (const service of options.services) {
      const definition = protoService(service.name) as unknown as ServiceDefinition;
      this.#server.addService(passingBytesThrough(definition, service.bytesRequests ?? []), service.implementation);
    }
  }

  /** Binds HOST:PORT; fails with one clear UNAVAILABLE error when the address is taken. */
  async start(): Promise<{ readonly port: number }> {
    assert(this.#state === 'new', 'a GrpcServer starts once');
    const credentials = serverCredentials(this.#options.tls);
    const address = `${this.#options.host}:${this.#options.port}`;
    const port = await new Promise<number>((resolve, reject) => {
      this.#server.bindAsync(address, credentials, (error, boundPort) => {
        if (error !== null) {
          reject(
            new ChronosError('UNAVAILABLE', `cannot listen on ${address}: ${errorMessage(error)}`, {
              details: { address },
              cause: error,
            }),
          );
          return;
        }
        resolve(boundPort);
      });
    });
    this.#state = 'started';
    return { port };
  }

  /**
   * Stops accepting calls, lets each service end what it holds open (peers' Raft streams),
   * lets in-flight calls finish for up to `graceMs`, then cuts them.
   */
  async stop(graceMs: number): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    for (const service of this.#options.services) service.close?.();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#server.forceShutdown();
        resolve();
      }, Math.max(0, graceMs));
      this.#server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
