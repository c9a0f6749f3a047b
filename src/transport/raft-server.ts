import { status } from '@grpc/grpc-js';
import type {
  Metadata,
  ServerReadableStream,
  ServerUnaryCall,
  UntypedServiceImplementation,
  sendUnaryData,
} from '@grpc/grpc-js';
import type { RaftMessage } from '../raft/index.js';
import { ChronosError } from '../lib/index.js';
import type { TokenAuth } from '../auth/index.js';
import type {
  CallContext, ForwardCommandHandler, ForwardSqlHandler, MembershipHandler, RaftRequestHandler,
  RaftStreamHandler,
} from './handlers.js';
import { membershipChangeFromProto, membershipViewToProto } from './membership-codec.js';
import { asObject, readArray, readBool, readBytes, readString } from './proto-read.js';
import { envelopeFromProto, envelopeToProto, raftMessageFromProto, raftMessageToProto } from './raft-codec.js';
import type { UnaryRaftKind } from './raft-codec.js';
import { bearerFromMetadata, toServiceError } from './grpc-status.js';
import { clusterMismatch } from './cluster-header.js';
import { SnapshotAssembler } from './snapshot-chunks.js';
import type { GrpcService } from './grpc-server.js';
import { errorToSqlResponse, resultToSqlResponse } from './sql-codec.js';

/** What the RaftService needs from the node. */
export interface RaftServiceOptions {
  readonly handler: RaftRequestHandler;
  /** Takes messages of peers' streams; absent = Stream answers UNIMPLEMENTED. */
  readonly onStreamMessage?: RaftStreamHandler | undefined;
  /** Runs writes forwarded by followers; absent = ForwardSql answers UNIMPLEMENTED. */
  readonly forwardSql?: ForwardSqlHandler | undefined;
  /** Proposes commands followers pass on; absent = ForwardCommand is UNIMPLEMENTED. */
  readonly forwardCommand?: ForwardCommandHandler | undefined;
  /** Makes membership changes members pass on; absent = ChangeMembership is UNIMPLEMENTED. */
  readonly changeMembership?: MembershipHandler | undefined;
  /**
   * This node's cluster id (null until it has one): a call carrying another cluster's id is
   * refused with CLUSTER_MISMATCH.
   */
  readonly clusterId?: (() => string | null) | undefined;
  /** The node's token check: with an admin token set, every RaftService call must carry it. */
  readonly auth?: TokenAuth | undefined;
  /**
   * Peers' open streams register a closer here: a stream never ends on its own, so a server
   * shutting down ends them itself instead of waiting out its grace period on them.
   */
  readonly openStreams?: Set<() => void> | undefined;
}

type UnaryCall = ServerUnaryCall<object, object>;
type Reply = sendUnaryData<object>;

/** Checks node-to-node auth (the node's one token check); null when the call may proceed. */
function peerAuthError(metadata: Metadata, auth: TokenAuth | undefined): ChronosError | null {
  const decision = auth?.checkPeer(bearerFromMetadata(metadata)) ?? { ok: true };
  if (decision.ok) return null;
  return decision.reason === 'missing'
    ? new ChronosError('UNAUTHENTICATED', 'Raft RPC without a bearer token refused')
    : new ChronosError('UNAUTHENTICATED', 'Raft RPC with an invalid bearer token refused');
}

function expectReply(
  reply: RaftMessage | null,
  kinds: readonly RaftMessage['type'][],
  rpc: string,
): RaftMessage {
  if (reply === null || !kinds.includes(reply.type)) {
    throw new ChronosError(
      'UNAVAILABLE',
      `${rpc}: the node answered ${reply?.type ?? 'nothing'}, expected ${kinds.join('/')}`,
    );
  }
  return reply;
}

/** A request check: RequestVote must carry preVote=false, PreVote preVote=true. */
function isVote(preVote: boolean): (request: RaftMessage) => boolean {
  return (request) => request.type === 'vote' && request.preVote === preVote;
}

/** RaftService as one service of a GrpcServer, ending peers' open streams when it stops. */
export function raftService(options: Omit<RaftServiceOptions, 'openStreams'>): GrpcService {
  const openStreams = new Set<() => void>();
  return {
    name: 'raft.RaftService',
    implementation: raftServiceImplementation({ ...options, openStreams }),
    close: () => {
      for (const close of [...openStreams]) close();
    },
  };
}

/** Builds the RaftService implementation over an injected request handler. */
function raftServiceImplementation(
  options: RaftServiceOptions,
): UntypedServiceImplementation {
  const { handler } = options;
  const localCluster = options.clusterId ?? ((): null => null);
  /** Auth first (an unauthenticated caller learns nothing), then the sender's cluster. */
  const refusal = (metadata: Metadata): ChronosError | null =>
    peerAuthError(metadata, options.auth) ?? clusterMismatch(metadata, localCluster());

  /** Checks the peer token and decodes the request; null when it already answered an error. */
  const admit = (call: UnaryCall, kind: UnaryRaftKind, callback: Reply): RaftMessage | null => {
    const denied = refusal(call.metadata);
    if (denied !== null) {
      callback(toServiceError(denied));
      return null;
    }
    try {
      return raftMessageFromProto(kind, call.request);
    } catch (error) {
      callback(toServiceError(error));
      return null;
    }
  };

  const unary = (
    rpc: string,
    kind: UnaryRaftKind,
    replyKinds: readonly RaftMessage['type'][],
    check: (request: RaftMessage) => boolean,
  ) => {
    return (call: UnaryCall, callback: Reply): void => {
      const request = admit(call, kind, callback);
      if (request === null) return;
      if (!check(request)) {
        callback({ code: status.INVALID_ARGUMENT, details: `${rpc}: inconsistent request` });
        return;
      }
      handler(request)
        .then((reply) => {
          const message = expectReply(reply, replyKinds, rpc);
          if (message.type === 'snapshot') throw new ChronosError('UNAVAILABLE', 'bad reply');
          return raftMessageToProto(message);
        })
        .then(
          (proto) => callback(null, proto),
          (error: unknown) => callback(toServiceError(error)),
        );
    };
  };

  /** Steps a request whose answer may be of any kind (or none), replying with an envelope. */
  const answerWithEnvelope = (request: RaftMessage, callback: Reply): void => {
    handler(request)
      .then(envelopeToProto)
      .then(
        (proto) => callback(null, proto),
        (error: unknown) => callback(toServiceError(error)),
      );
  };

  const installSnapshot = (call: ServerReadableStream<object, object>, callback: Reply): void => {
    const denied = refusal(call.metadata);
    if (denied !== null) {
      callback(toServiceError(denied));
      return;
    }
    const assembler = new SnapshotAssembler();
    let failed = false;
    call.on('data', (chunk: unknown) => {
      if (failed) return;
      try {
        assembler.add(chunk);
      } catch (error) {
        failed = true;
        callback(toServiceError(error));
      }
    });
    call.on('end', () => {
      if (failed) return;
      let request: RaftMessage;
      try {
        request = assembler.finish();
      } catch (error) {
        callback(toServiceError(error));
        return;
      }
      answerWithEnvelope(request, callback);
    });
  };

  const timeoutNow = (call: UnaryCall, callback: Reply): void => {
    const request = admit(call, 'timeoutNow', callback);
    if (request !== null) answerWithEnvelope(request, callback);
  };

  const forwardSql = (call: UnaryCall, callback: Reply): void => {
    const denied = refusal(call.metadata);
    if (denied !== null) {
      callback(toServiceError(denied));
      return;
    }
    const forward = options.forwardSql;
    if (forward === undefined) {
      const details = 'forwarding is not configured on this node';
      callback({ code: status.UNIMPLEMENTED, details });
      return;
    }
    let statements: string[];
    let context: CallContext;
    try {
      const request = asObject(call.request, 'ForwardSqlRequest');
      statements = readArray(request, 'statements').map((text) => String(text));
      const user = readString(request, 'user');
      context = {
        token: readBool(request, 'hasToken') ? readString(request, 'token') : null,
        user: user === '' ? null : user,
        peer: call.getPeer(),
      };
    } catch (error) {
      callback(toServiceError(error));
      return;
    }
    forward(statements, context)
      .then((outcomes) =>
        outcomes.map((outcome) =>
          outcome.ok ? resultToSqlResponse(outcome.result) : errorToSqlResponse(outcome.error),
        ),
      )
      .then(
        (results) => callback(null, { results }),
        (error: unknown) => callback(null, { results: [errorToSqlResponse(error)] }),
      );
  };

  /** A unary peer RPC answered by an optional node handler (UNIMPLEMENTED without one). */
  const peerUnary = <T>(handler: ((request: unknown) => Promise<T>) | undefined,
    toProto: (answer: T) => object, what: string) =>
    (call: UnaryCall, callback: Reply): void => {
      const denied = refusal(call.metadata);
      if (denied !== null || handler === undefined) {
        callback(denied === null
          ? { code: status.UNIMPLEMENTED, details: `${what} are not served by this node` }
          : toServiceError(denied));
        return;
      }
      Promise.resolve()
        .then(() => handler(call.request))
        .then((answer) => callback(null, toProto(answer)), (error: unknown) => callback(toServiceError(error)));
    };
  const { changeMembership: onMembership, forwardCommand: onCommand } = options;
  const changeMembership = peerUnary(
    onMembership === undefined ? undefined : (request) => onMembership(membershipChangeFromProto(request)),
    membershipViewToProto, 'membership changes');
  const forwardCommand = peerUnary(
    onCommand === undefined ? undefined
      : (request) => onCommand(readBytes(asObject(request, 'ForwardCommandRequest'), 'command')),
    (outcome: Uint8Array) => ({ outcome }), 'forwarded commands');

  const stream = (call: ServerReadableStream<object, object>, callback: Reply): void => {
    const denied = refusal(call.metadata);
    if (denied !== null) {
      callback(toServiceError(denied));
      return;
    }
    const onMessage = options.onStreamMessage;
    if (onMessage === undefined) {
      callback({ code: status.UNIMPLEMENTED, details: 'Raft streams are not served by this node' });
      return;
    }
    let done = false;
    const finish = (failure?: { readonly error: unknown }): void => {
      if (done) return;
      done = true;
      options.openStreams?.delete(shutDown);
      if (failure === undefined) callback(null, {});
      else callback(toServiceError(failure.error));
    };
    // Ended by a server going down: the peer hears it as a broken stream and reopens one later.
    const shutDown = (): void => finish({ error: new ChronosError('SHUTTING_DOWN', 'the node is shutting down') });
    options.openStreams?.add(shutDown);
    call.on('data', (envelope: unknown) => {
      if (done) return;
      // This node may have learned its cluster id after the stream opened.
      const mismatch = clusterMismatch(call.metadata, localCluster());
      if (mismatch !== null) {
        finish({ error: mismatch });
        return;
      }
      let message: RaftMessage | null;
      try {
        message = envelopeFromProto(envelope);
      } catch (error) {
        // A peer that sends garbage loses its stream; it reconnects with its next message.
        finish({ error });
        return;
      }
      if (message !== null) onMessage(message);
    });
    call.on('end', () => finish());
    call.on('error', () => {
      done = true;
      options.openStreams?.delete(shutDown);
    });
  };

  return {
    Stream: stream,
    RequestVote: unary('RequestVote', 'vote', ['voteResponse'], isVote(false)),
    PreVote: unary('PreVote', 'vote', ['voteResponse'], isVote(true)),
    AppendEntries: unary('AppendEntries', 'append', ['appendResponse'], () => true),
    ReadIndex: unary('ReadIndex', 'readIndex', ['readIndexResponse'], () => true),
    InstallSnapshot: installSnapshot,
    TimeoutNow: timeoutNow,
    ForwardSql: forwardSql,
    ChangeMembership: changeMembership,
    ForwardCommand: forwardCommand,
    // Reached only past the refusal check: the caller is of this cluster, or one has no id.
    Identify: peerUnary(() => Promise.resolve(localCluster() ?? ''),
      (clusterId: string) => ({ clusterId }), 'identity answers'),
  };
}
