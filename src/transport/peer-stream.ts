import type { Client, ClientWritableStream, Metadata } from '@grpc/grpc-js';
import type { RaftMessage } from '../raft/index.js';
import { refusingCluster } from './cluster-header.js';
import { protoMethod } from './proto-loader.js';
import { encodeEnvelope } from './envelope-wire.js';

type StreamedMessage = Exclude<RaftMessage, { type: 'snapshot' }>;

/** Messages queued toward one peer before new ones are dropped. */
const BUFFERED_MESSAGES_MAX = 4096;

/** Why a stream to a peer ended or refused a message. */
export interface StreamFailure {
  readonly reason: 'congested' | 'broken';
  readonly grpcStatus: number | null;
  readonly message: string;
  /** The peer's cluster id when it refused us as a member of another cluster. */
  readonly refusedByCluster: string | null;
}

/**
 * The long-lived RaftService.Stream call to one peer: messages are written in order without a
 * call per message. It opens on first use and again after it breaks. A message that cannot be
 * sent (the call broke, or thousands are queued because the peer stopped reading) is dropped:
 * Raft resends what matters (appends are retried from the follower's progress, heartbeats
 * recur), and an unbounded buffer toward a paused peer would only grow.
 */
export class PeerStream {
  readonly #client: Client;
  /** The call metadata (token, cluster id), made afresh at each open. */
  readonly #metadata: () => Metadata;
  readonly #onFailure: (failure: StreamFailure) => void;
  #call: ClientWritableStream<StreamedMessage> | null = null;
  #closed = false;

  constructor(client: Client, metadata: () => Metadata, onFailure: (failure: StreamFailure) => void) {
    this.#client = client;
    this.#metadata = metadata;
    this.#onFailure = onFailure;
  }

  /** Queues `message` on the stream; false when it was dropped. Never throws. */
  write(message: StreamedMessage): boolean {
    if (this.#closed) return false;
    const call = this.#call ?? this.#open();
    // Pipelined appends legitimately queue up a few hundred messages; thousands mean the peer
    // stopped reading (paused, or its link is down without the connection failing yet).
    if (call.writableLength >= BUFFERED_MESSAGES_MAX) {
      this.#onFailure({ reason: 'congested', grpcStatus: null, message: `dropped ${message.type}: peer not reading`,
        refusedByCluster: null });
      return false;
    }
    call.write(message);
    return true;
  }

  /** Ends the stream; later writes are dropped. */
  close(): void {
    this.#closed = true;
    this.#call?.end();
    this.#call = null;
  }

  #open(): ClientWritableStream<StreamedMessage> {
    const method = protoMethod('raft.RaftService', 'Stream');
    const call = this.#client.makeClientStreamRequest<StreamedMessage, object>(
      method.path,
      encodeEnvelope,
      method.responseDeserialize,
      this.#metadata(),
      {},
      (error) => {
        if (this.#call === call) this.#call = null;
        if (error !== null && !this.#closed) {
          this.#onFailure({ reason: 'broken', grpcStatus: error.code, message: error.details,
            refusedByCluster: refusingCluster(error) });
        }
      },
    );
    // The callback above reports the failure; this listener keeps it from being unhandled.
    call.on('error', () => undefined);
    this.#call = call;
    return call;
  }
}
