import { Client, status } from '@grpc/grpc-js';
import type { Metadata, ServiceError } from '@grpc/grpc-js';
import type { RaftMessage, NodeId, MemberChange, MembersView } from '../raft/index.js';
import { ChronosError, errorMessage, systemClock } from '../lib/index.js';
import type { Clock } from '../lib/index.js';
import type { StatementOutcome } from './handlers.js';
import { membershipChangeToProto, membershipViewFromProto } from './membership-codec.js';
import { channelCredentials, channelOptions } from './credentials.js';
import type { TlsMaterial } from './credentials.js';
import { bearerMetadata, fromServiceError } from './grpc-status.js';
import { refusingCluster, withClusterId } from './cluster-header.js';
import { GRPC_MESSAGE_BYTES_MAX } from './grpc-server.js';
import { protoMethod } from './proto-loader.js';
import type { ProtoMethod } from './proto-loader.js';
import { asObject, readArray, readBytes } from './proto-read.js';
import { envelopeFromProto, raftMessageFromProto, raftMessageToProto } from './raft-codec.js';
import type { UnaryRaftKind } from './raft-codec.js';
import { SNAPSHOT_CHUNK_BYTES, snapshotToChunks } from './snapshot-chunks.js';
import { PeerStream } from './peer-stream.js';
import { sqlResponseToResult } from './sql-codec.js';

/** The kinds of failure: no address, closed, network down, too slow, refused, garbled. */
export type FailureReason =
  | 'unknown-peer'
  | 'closed'
  | 'unavailable'
  | 'deadline'
  | 'rejected'
  | 'bad-reply';

/** Why a call to a peer failed, for the caller to log (Raft just retries on its next tick). */
export interface PeerFailure {
  readonly to: NodeId;
  readonly address: string | null;
  readonly rpc: string;
  readonly reason: FailureReason;
  /** The gRPC status code when the call reached gRPC. */
  readonly grpcStatus: number | null;
  readonly message: string;
}

/** A call's outcome: the reply (null when the RPC has none) or a typed failure. */
export type PeerCallResult =
  | { readonly ok: true; readonly reply: RaftMessage | null }
  | { readonly ok: false; readonly failure: PeerFailure };

/** The outcome of forwarding statements to the leader. */
export type ForwardResult =
  | { readonly ok: true; readonly outcomes: readonly StatementOutcome[] }
  | { readonly ok: false; readonly failure: PeerFailure };

/** Tunables of PeerClients; each has a default. */
export interface PeerClientsOptions {
  readonly tls?: TlsMaterial | null;
  /** Sent as `authorization: Bearer` on every call (the admin token when auth is on). */
  readonly token?: string | null;
  /** Deadline of votes, appends, TimeoutNow and ReadIndex. */
  readonly rpcDeadlineMs?: number;
  /** Deadline of one whole InstallSnapshot stream. */
  readonly snapshotDeadlineMs?: number;
  /** Deadline of a forwarded client write (it waits for commit on the leader). */
  readonly forwardDeadlineMs?: number;
  readonly snapshotChunkBytes?: number;
  /** Turns relative deadlines into gRPC's absolute ones (systemClock by default). */
  readonly clock?: Clock;
  /** Called with every failure `send` swallows. */
  readonly onFailure?: (failure: PeerFailure) => void;
  /** This node's cluster id, sent on every call (null until it has one). */
  readonly clusterId?: () => string | null;
  /** Called whenever peer `to` refused a call because it belongs to cluster `theirs`. */
  readonly onClusterRefusal?: (to: NodeId, theirs: string) => void;
}

const RAFT_SERVICE = 'raft.RaftService';

type FailFn = (
  reason: FailureReason,
  text: string,
  code?: number | null,
) => Promise<PeerCallResult>;

/** Which RPC carries a message, and what its reply is. */
interface Route {
  readonly rpc: string;
  readonly replyKind: UnaryRaftKind | 'envelope';
}

function routeOf(message: RaftMessage): Route | null {
  switch (message.type) {
    case 'vote':
      return { rpc: message.preVote ? 'PreVote' : 'RequestVote', replyKind: 'voteResponse' };
    case 'append':
      return { rpc: 'AppendEntries', replyKind: 'appendResponse' };
    case 'snapshot':
      return { rpc: 'InstallSnapshot', replyKind: 'envelope' };
    case 'timeoutNow':
      return { rpc: 'TimeoutNow', replyKind: 'envelope' };
    case 'readIndex':
      return { rpc: 'ReadIndex', replyKind: 'readIndexResponse' };
    // Responses travel as RPC replies, never as requests.
    case 'voteResponse':
    case 'appendResponse':
    case 'readIndexResponse':
      return null;
    default:
      return null;
  }
}

function reasonOf(code: number): FailureReason {
  if (code === status.DEADLINE_EXCEEDED) return 'deadline';
  if (code === status.UNAVAILABLE || code === status.CANCELLED) return 'unavailable';
  return 'rejected';
}

/**
 * gRPC clients of the Raft peers: one channel per peer address, many calls in flight on it at
 * once (HTTP/2 multiplexes them; nothing here serializes calls). Never throws: every failure
 * resolves as a PeerFailure.
 */
export class PeerClients {
  readonly #options: PeerClientsOptions;
  readonly #peers = new Map<NodeId, { address: string; client: Client; stream: PeerStream }>();
  #closed = false;

  constructor(peers: ReadonlyMap<NodeId, string>, options: PeerClientsOptions = {}) {
    this.#options = options;
    this.updatePeers(peers);
  }

  /** Replaces the peer set: new addresses get channels, gone or moved peers are closed. */
  updatePeers(peers: ReadonlyMap<NodeId, string>): void {
    if (this.#closed) return;
    for (const [id, entry] of this.#peers) {
      if (peers.get(id) !== entry.address) {
        entry.stream.close();
        entry.client.close();
        this.#peers.delete(id);
      }
    }
    const tls = this.#options.tls ?? null;
    for (const [id, address] of peers) {
      if (this.#peers.has(id)) continue;
      const client = new Client(address, channelCredentials(tls), {
        ...channelOptions(tls),
        'grpc.max_receive_message_length': GRPC_MESSAGE_BYTES_MAX,
        'grpc.max_send_message_length': GRPC_MESSAGE_BYTES_MAX,
        // A restarted peer is found again within half a second (its leader's appends reach it
        // only once this channel reconnects); Raft's own ticks pace the messages.
        'grpc.initial_reconnect_backoff_ms': 100,
        'grpc.max_reconnect_backoff_ms': 500,
      });
      const stream = new PeerStream(client, () => this.#metadata(), (failure) => {
        if (failure.refusedByCluster !== null) this.#options.onClusterRefusal?.(id, failure.refusedByCluster);
        this.#options.onFailure?.({ to: id, address, rpc: 'Stream', reason: 'unavailable', grpcStatus: failure.grpcStatus, message: failure.message });
      });
      this.#peers.set(id, { address, client, stream });
    }
  }

  /** Sends a request and resolves to its reply; null on failure (passed to onFailure). */
  async send(message: RaftMessage): Promise<RaftMessage | null> {
    const result = await this.call(message);
    if (result.ok) return result.reply;
    this.#options.onFailure?.(result.failure);
    return null;
  }

  /** Sends a request and resolves to its reply or a typed failure. */
  call(message: RaftMessage): Promise<PeerCallResult> {
    const route = routeOf(message);
    const rpc = route?.rpc ?? message.type;
    const peer = this.#peers.get(message.to);
    const fail = (reason: FailureReason, text: string, code: number | null = null) =>
      Promise.resolve<PeerCallResult>({
        ok: false,
        failure: {
          to: message.to,
          address: peer?.address ?? null,
          rpc,
          reason,
          grpcStatus: code,
          message: text,
        },
      });
    if (this.#closed) return fail('closed', 'peer clients are closed');
    if (route === null) return fail('rejected', `${message.type} is a reply, not a request`);
    if (peer === undefined) return fail('unknown-peer', `no address for peer ${message.to}`);
    try {
      return message.type === 'snapshot'
        ? this.#sendSnapshot(peer.client, message, rpc, fail)
        : this.#sendUnary(peer.client, message, route, fail);
    } catch (error) {
      return fail('rejected', errorMessage(error));
    }
  }

  /** Metadata of every call to a peer: the peer token and this node's cluster id. */
  #metadata(): Metadata {
    return withClusterId(bearerMetadata(this.#options.token ?? null), this.#options.clusterId?.() ?? null);
  }

  /** Tells the node when a failed call was a peer refusing us as another cluster's member. */
  #noteRefusal(to: NodeId, error: ServiceError): void {
    const theirs = refusingCluster(error);
    if (theirs !== null) this.#options.onClusterRefusal?.(to, theirs);
  }

  #deadline(ms: number | undefined, fallback: number): Date {
    return new Date((this.#options.clock ?? systemClock).nowMs() + (ms ?? fallback));
  }

  #sendUnary(
    client: Client,
    message: Exclude<RaftMessage, { type: 'snapshot' }>,
    route: Route,
    fail: FailFn,
  ): Promise<PeerCallResult> {
    const method = protoMethod(RAFT_SERVICE, route.rpc);
    const deadline = this.#deadline(this.#options.rpcDeadlineMs, 1000);
    return new Promise<PeerCallResult>((resolve) => {
      client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        raftMessageToProto(message),
        this.#metadata(),
        { deadline },
        (error, response) => {
          if (error !== null) {
            this.#noteRefusal(message.to, error);
            resolve(fail(reasonOf(error.code), error.details, error.code));
            return;
          }
          resolve(decodeReply(route, response, fail));
        },
      );
    });
  }

  #sendSnapshot(
    client: Client,
    message: Extract<RaftMessage, { type: 'snapshot' }>,
    rpc: string,
    fail: FailFn,
  ): Promise<PeerCallResult> {
    const method = protoMethod(RAFT_SERVICE, rpc);
    const deadline = this.#deadline(this.#options.snapshotDeadlineMs, 60_000);
    const chunkBytes = this.#options.snapshotChunkBytes ?? SNAPSHOT_CHUNK_BYTES;
    const chunks = snapshotToChunks(message, chunkBytes);
    return new Promise<PeerCallResult>((resolve) => {
      const stream = client.makeClientStreamRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        this.#metadata(),
        { deadline },
        (error: ServiceError | null, response?: object) => {
          if (error !== null) {
            this.#noteRefusal(message.to, error);
            resolve(fail(reasonOf(error.code), error.details, error.code));
            return;
          }
          resolve(decodeReply({ rpc, replyKind: 'envelope' }, response, fail));
        },
      );
      // Write with backpressure: at most one chunk buffered beyond what HTTP/2 accepted.
      let next = 0;
      const pump = (): void => {
        while (next < chunks.length) {
          const chunk = chunks[next];
          next += 1;
          if (chunk !== undefined && !stream.write(chunk)) {
            stream.once('drain', pump);
            return;
          }
        }
        stream.end();
      };
      stream.on('error', () => {
        // The callback above reports the failure; this listener keeps it from being unhandled.
      });
      pump();
    });
  }

  /** Forwards a client's statements to the leader `to`, preserving the caller's identity. */
  forwardSql(
    to: NodeId,
    statements: readonly string[],
    caller: { readonly user: string | null; readonly token: string | null },
  ): Promise<ForwardResult> {
    const peer = this.#peers.get(to);
    const address = peer?.address ?? null;
    const failure = (reason: FailureReason, text: string, code: number | null = null) =>
      ({
        ok: false,
        failure: { to, address, rpc: 'ForwardSql', reason, grpcStatus: code, message: text },
      }) as const;
    if (this.#closed) return Promise.resolve(failure('closed', 'peer clients are closed'));
    if (peer === undefined) return Promise.resolve(failure('unknown-peer', `no address for ${to}`));
    let method: ProtoMethod;
    try {
      method = protoMethod(RAFT_SERVICE, 'ForwardSql');
    } catch (error) {
      return Promise.resolve(failure('rejected', errorMessage(error)));
    }
    const request = {
      statements: [...statements],
      user: caller.user ?? '',
      token: caller.token ?? '',
      hasToken: caller.token !== null,
    };
    const deadline = this.#deadline(this.#options.forwardDeadlineMs, 30_000);
    return new Promise<ForwardResult>((resolve) => {
      peer.client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        request,
        this.#metadata(),
        { deadline },
        (error, response) => {
          if (error !== null) {
            this.#noteRefusal(to, error);
            resolve(failure(reasonOf(error.code), error.details, error.code));
            return;
          }
          try {
            const results = readArray(asObject(response, 'ForwardSqlResponse'), 'results');
            resolve({ ok: true, outcomes: results.map(decodeOutcome) });
          } catch (decodeError) {
            resolve(failure('bad-reply', errorMessage(decodeError)));
          }
        },
      );
    });
  }

  /** Passes encoded command to the leader `to` to propose; answers its encoded outcome. */
  forwardCommand(to: NodeId, command: Uint8Array): Promise<Uint8Array> {
    return this.#unary(to, 'ForwardCommand', { command }).then((response) =>
      readBytes(asObject(response, 'ForwardCommandResponse'), 'outcome'));
  }

  /** One unary RaftService call to `to` with the forwarding deadline; ChronosError on failure. */
  #unary(to: NodeId, rpc: string, request: object): Promise<unknown> {
    const peer = this.#peers.get(to);
    if (this.#closed || peer === undefined) {
      return Promise.reject(new ChronosError('UNAVAILABLE',
        `cannot reach leader ${to}: ${this.#closed ? 'shutting down' : 'no address known'}`));
    }
    const method = protoMethod(RAFT_SERVICE, rpc);
    const deadline = this.#deadline(this.#options.forwardDeadlineMs, 30_000);
    return new Promise((resolve, reject) => {
      peer.client.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize,
        request, this.#metadata(), { deadline },
        (error, response) => {
          if (error === null) {
            resolve(response);
            return;
          }
          this.#noteRefusal(to, error);
          reject(fromServiceError(error, peer.address, (this.#options.tls ?? null) !== null));
        });
    });
  }

  /** Passes a membership change to the leader `to`; throws ChronosError when it fails. */
  changeMembership(to: NodeId, change: MemberChange): Promise<MembersView> {
    return this.#unary(to, 'ChangeMembership', membershipChangeToProto(change)).then(membershipViewFromProto);
  }

  /**
   * Sends a message on the long-lived stream to its peer (the hot path: appends, heartbeats,
   * votes and their answers). Fire and forget: false when it was dropped, and the failure goes
   * to onFailure. Snapshots go through `send` (InstallSnapshot, in chunks).
   */
  stream(message: Exclude<RaftMessage, { type: 'snapshot' }>): boolean {
    if (this.#closed) return false;
    const peer = this.#peers.get(message.to);
    if (peer === undefined) {
      this.#options.onFailure?.({
        to: message.to, address: null, rpc: 'Stream', reason: 'unknown-peer', grpcStatus: null,
        message: `no address for peer ${message.to}`,
      });
      return false;
    }
    return peer.stream.write(message);
  }

  /** Closes every channel; later calls resolve as 'closed' failures. */
  close(): void {
    this.#closed = true;
    for (const entry of this.#peers.values()) {
      entry.stream.close();
      entry.client.close();
    }
    this.#peers.clear();
  }
}

function decodeOutcome(value: unknown): StatementOutcome {
  try {
    return { ok: true, result: sqlResponseToResult(value) };
  } catch (error) {
    return { ok: false, error };
  }
}

function decodeReply(
  route: Route,
  response: object | undefined,
  fail: (reason: FailureReason, text: string) => Promise<PeerCallResult>,
): Promise<PeerCallResult> {
  try {
    const reply =
      route.replyKind === 'envelope'
        ? envelopeFromProto(response)
        : raftMessageFromProto(route.replyKind, response);
    return Promise.resolve({ ok: true, reply });
  } catch (error) {
    return fail('bad-reply', errorMessage(error));
  }
}
