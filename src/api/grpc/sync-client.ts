import { Client } from '@grpc/grpc-js';
import { ChronosError, errorMessage } from '../../lib/index.js';
import type { SyncLink } from '../../node/index.js';
import {
  bearerMetadata, channelCredentials, channelOptions, fromServiceError, GRPC_MESSAGE_BYTES_MAX,
  protoMethod,
} from '../../transport/index.js';
import type { TlsMaterial } from '../../transport/index.js';
import type { SyncOperation } from './sync-service.js';

/** A batch is answered within this, or the edge tries again (the target skips what it has). */
const SYNC_DEADLINE_MS = 30_000;
/**
 * An empty batch (the edge asking for its cursor) does no work on the target: a shorter wait
 * finds a target that froze before the channel connected, which no keepalive ping covers.
 */
const CURSOR_DEADLINE_MS = 10_000;
/**
 * While a batch is in flight the channel pings the target this often and drops the connection
 * when a ping goes unanswered this long: a frozen target (SIGSTOP, a hung host) keeps its TCP
 * socket open, and without the ping the edge would see it only at the deadline. A live target
 * answers a ping from its event loop, which never stalls for seconds (Raft's heartbeats share it).
 */
const KEEPALIVE_MS = 5_000;

/**
 * A SyncService client for an edge: `sync` ships a batch and resolves to the target's cursor.
 * The edge's worker (node/edge-sync.ts) holds it as a SyncLink the composition root hands in.
 */
export class SyncClient implements SyncLink {
  readonly address: string;
  readonly #client: Client;
  readonly #token: string | null;
  /** Whether the channel speaks TLS (the node's own TLS material). */
  readonly #tls: boolean;
  /** Calls not answered yet: close() cancels them, so a node stopping never waits out a deadline. */
  readonly #inFlight = new Set<{ cancel(): void }>();

  constructor(options: { readonly address: string; readonly tls: TlsMaterial | null; readonly token: string | null }) {
    this.address = options.address;
    this.#token = options.token;
    this.#tls = options.tls !== null;
    this.#client = new Client(options.address, channelCredentials(options.tls), {
      ...channelOptions(options.tls),
      'grpc.max_receive_message_length': GRPC_MESSAGE_BYTES_MAX,
      'grpc.keepalive_time_ms': KEEPALIVE_MS,
      'grpc.keepalive_timeout_ms': KEEPALIVE_MS,
    });
  }

  /** Ships `operations` as edge `edgeId`; resolves to `applied` (the highest op id the target holds). */
  sync(edgeId: string, operations: readonly SyncOperation[]): Promise<bigint> {
    const method = protoMethod('raft.SyncService', 'Sync');
    const request = { edgeId, operations: operations.map((op) => ({ id: op.id.toString(), data: Buffer.from(op.data) })) };
    return new Promise<bigint>((resolve, reject) => {
      try {
        const call = this.#client.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize, request,
          bearerMetadata(this.#token), { deadline: new Date(Date.now() + (operations.length === 0 ? CURSOR_DEADLINE_MS : SYNC_DEADLINE_MS)) },
          (error, response) => {
            this.#inFlight.delete(call);
            if (error !== null) {
              reject(fromServiceError(error, this.address, this.#tls));
              return;
            }
            const applied = (response as { applied?: unknown } | undefined)?.applied;
            resolve(BigInt(typeof applied === 'string' || typeof applied === 'number' ? applied : 0));
          });
        this.#inFlight.add(call);
      } catch (error) {
        reject(new ChronosError('UNAVAILABLE', `cannot call ${this.address}: ${errorMessage(error)}`));
      }
    });
  }

  /** Cancels the calls in flight and closes the channel. */
  close(): void {
    for (const call of this.#inFlight) call.cancel();
    this.#inFlight.clear();
    this.#client.close();
  }
}
