import { Client, Metadata } from '@grpc/grpc-js';
import type { StatementResult } from '../../sql/index.js';
import { ChronosError, errorMessage, systemClock } from '../../lib/index.js';
import type { Clock } from '../../lib/index.js';
import {
  bearerMetadata, channelCredentials, channelOptions, decodeSqlResponse, fromFailedCall, GRPC_MESSAGE_BYTES_MAX,
  protoMethod,
} from '../../transport/index.js';
import type { TlsMaterial } from '../../transport/index.js';

/** How `chronos client --leader ADDR` reaches a server. */
export interface SqlClientOptions {
  /** HOST:PORT of any node. */
  readonly address: string;
  /** TLS material (CA to trust, optional client cert); null = plaintext. */
  readonly tls: TlsMaterial | null;
  /** Sent as `authorization: Bearer <token>` (CHRONOS_AUTH_TOKEN). */
  readonly token: string | null;
  /** Deadline of one statement. */
  readonly deadlineMs?: number;
  /** Sent as `x-chronos-user`: the name the server records in its audit log for writes. */
  readonly user?: string | null;
  readonly clock?: Clock;
}

/** Default deadline of one statement: generous, a write waits for commit and fsync. */
export const SQL_DEADLINE_MS_DEFAULT = 30_000;

/** A SqlService client: `execute(sql)` resolves to the result or throws a ChronosError. */
export class SqlClient {
  readonly #options: SqlClientOptions;
  readonly #client: Client;

  constructor(options: SqlClientOptions) {
    this.#options = options;
    this.#client = new Client(options.address, channelCredentials(options.tls), {
      ...channelOptions(options.tls),
      'grpc.max_receive_message_length': GRPC_MESSAGE_BYTES_MAX,
    });
  }

  /** The address this client dials. */
  get address(): string {
    return this.#options.address;
  }

  /**
   * Runs one statement. SQL errors throw the server's ChronosError (NOT_LEADER carries
   * `details.leader` when known); transport failures throw UNAVAILABLE/TIMEOUT/UNAUTHENTICATED.
   */
  execute(sql: string, signal?: AbortSignal): Promise<StatementResult> {
    const method = protoMethod('raft.SqlService', 'ExecuteSql');
    const clock = this.#options.clock ?? systemClock;
    const deadlineMs = this.#options.deadlineMs ?? SQL_DEADLINE_MS_DEFAULT;
    const deadline = new Date(clock.nowMs() + deadlineMs);
    const address = this.#options.address;
    return new Promise<StatementResult>((resolve, reject) => {
      try {
        const call = this.#client.makeUnaryRequest<object, Buffer>(
          method.path,
          method.requestSerialize,
          // Answers are decoded straight from their bytes (sql-response-wire.ts).
          (bytes: Buffer) => bytes,
          { sql },
          this.#metadata(),
          { deadline },
          (error, response) => {
            if (error !== null) {
              if (signal?.aborted === true) reject(cancelled(address));
              // A silent close is probed before it is read (transport/call-failure.ts).
              else void fromFailedCall(error, address, this.#options.tls).then(reject, reject);
              return;
            }
            try {
              if (response === undefined) throw new ChronosError('CORRUPTION', `${address} answered without a SqlResponse`);
              resolve(decodeSqlResponse(response));
            } catch (decodeError) {
              reject(decodeError);
            }
          },
        );
        // Cancelling the call tells the server (grpc-js 'cancelled'), which stops the statement.
        signal?.addEventListener('abort', () => call.cancel(), { once: true });
      } catch (error) {
        reject(new ChronosError('UNAVAILABLE', `cannot call ${address}: ${errorMessage(error)}`));
      }
    });
  }

  #metadata(): Metadata {
    const metadata = bearerMetadata(this.#options.token);
    const user = this.#options.user ?? null;
    if (user !== null && user !== '') metadata.set('x-chronos-user', user);
    return metadata;
  }

  /** Closes the channel. */
  close(): void {
    this.#client.close();
  }
}

function cancelled(address: string): ChronosError {
  return new ChronosError('CANCELLED', `statement cancelled; ${address} was told to stop it`);
}
