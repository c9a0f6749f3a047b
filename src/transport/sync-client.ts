import { Client } from '@grpc/grpc-js';
import { ChronosError, errorMessage } from '../lib/errors.js';
import { channelCredentials, channelOptions } from './credentials.js';
import type { TlsMaterial } from './credentials.js';
import { bearerMetadata, fromServiceError } from './grpc-status.js';
import { GRPC_MESSAGE_BYTES_MAX } from './grpc-server.js';
import { protoMethod } from './proto-loader.js';
import type { SyncOperation } from './handlers.js';

/** A batch is answered within this, or the edge tries again (the target skips what it has). */
const SYNC_DEADLINE_MS = 30_000;

/** A SyncService client for an edge: `sync` ships a batch and resolves to the target's cursor. */
export class SyncClient {
  readonly address: string;
  readonly #client: Client;
  readonly #token: string | null;

  constructor(options: { readonly address: string; readonly tls: TlsMaterial | null; readonly token: string | null }) {
    this.address = options.address;
    this.#token = options.token;
    this.#client = new Client(options.address, channelCredentials(options.tls), {
      ...channelOptions(options.tls),
      'grpc.max_receive_message_length': GRPC_MESSAGE_BYTES_MAX,
    });
  }

  /** Ships `operations` as edge `edgeId`; resolves to `applied` (the highest op id the target holds). */
  sync(edgeId: string, operations: readonly SyncOperation[]): Promise<bigint> {
    const method = protoMethod('raft.SyncService', 'Sync');
    const request = { edgeId, operations: operations.map((op) => ({ id: op.id.toString(), data: Buffer.from(op.data) })) };
    return new Promise<bigint>((resolve, reject) => {
      try {
        this.#client.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize, request,
          bearerMetadata(this.#token), { deadline: new Date(Date.now() + SYNC_DEADLINE_MS) },
          (error, response) => {
            if (error !== null) {
              reject(fromServiceError(error, this.address));
              return;
            }
            const applied = (response as { applied?: unknown } | undefined)?.applied;
            resolve(BigInt(typeof applied === 'string' || typeof applied === 'number' ? applied : 0));
          });
      } catch (error) {
        reject(new ChronosError('UNAVAILABLE', `cannot call ${this.address}: ${errorMessage(error)}`));
      }
    });
  }

  close(): void {
    this.#client.close();
  }
}
