import { status } from '@grpc/grpc-js';
import type {
  Metadata,
  ServerReadableStream,
  ServerUnaryCall,
  UntypedServiceImplementation,
  sendUnaryData,
} from '@grpc/grpc-js';
import type { RaftMessage } from '../raft/index.js';
import { assert, ChronosError } from '../lib/index.js';
import type { TokenAuth } from '../auth/index.js';
import type {
  CallContext, ForwardCommandHandler, ForwardSqlHandler, MembershipHandler, RaftRequestHandler,
  RaftStreamHandler,
} from './handlers.js';
import { membershipChangeFromProto, membershipViewToProto } from './membership-codec.js';
import { asObject, readArray, readBool, readBytes, readString } from './proto-read.js';
import { decodeEnvelope } from './envelope-wire.js';
import { envelopeToProto, raftMessageFromProto, raftMessageToProto } from './raft-codec.js';
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
  /** Told of every call refused for its token or cluster, with what the caller was told. */
  readonly onRefusal?: ((refusal: ChronosError) => void) | undefined;
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
    // Stream decodes its RaftEnvelopes itself (envelope-wire.ts): the hot path skips protobufjs.
    bytesRequests: ['Stream'],
    close: () => {
      for (const close of [...openStreams]) close();
    },
  };
}

/** What every RaftService method shares: the options and the check each call passes first. */
interface RaftServiceContext {
  readonly options: RaftServiceOptions;
  /** This node's cluster id now (null until it has one). */
  readonly localCluster: () => string | null;
  /** Auth first (an unauthenticated caller learns nothing), then the sender's cluster. */
  readonly refusal: (metadata: Metadata) => ChronosError | null;
}

/** Builds the RaftService implementation over an injected request handler. */
function raftServiceImplementation(
  options: RaftServiceOptions,
): UntypedServiceImplementation {
  const localCluster = options.clusterId ?? ((): null => null);
  const context: RaftServiceContext = {
    options,
    localCluster,
    refusal: (metadata) => {
      const denied = peerAuthError(metadata, options.auth) ?? clusterMismatch(metadata, localCluster());
      if (denied !== null) options.onRefusal?.(denied);
      return denied;
    },
  };
  const { changeMembership: onMembership, forwardCommand: onCommand } = options;
  return {
    Stream: streamRpc(context),
    RequestVote: unaryRpc(context, 'RequestVote', 'vote', ['voteResponse'], isVote(false)),
    PreVote: unaryRpc(context, 'PreVote', 'vote', ['voteResponse'], isVote(true)),
    AppendEntries: unaryRpc(context, 'AppendEntries', 'append', ['appendResponse'], () => true),
    ReadIndex: unaryRpc(context, 'ReadIndex', 'readIndex', ['readIndexResponse'], () => true),
    InstallSnapshot: installSnapshotRpc(context),
    TimeoutNow: timeoutNowRpc(context),
    ForwardSql: forwardSqlRpc(context),
    ChangeMembership: peerUnaryRpc(context,
      onMembership === undefined ? undefined : (request) => onMembership(membershipChangeFromProto(request)),
      membershipViewToProto, 'membership changes'),
    ForwardCommand: peerUnaryRpc(context,
      onCommand === undefined ? undefined
        : (request) => onCommand(readBytes(asObject(request, 'ForwardCommandRequest'), 'command')),
      (outcome: Uint8Array) => ({ outcome }), 'forwarded commands'),
    // Reached only past the refusal check: the caller is of this cluster, or one has no id.
    Identify: peerUnaryRpc(context, () => Promise.resolve(localCluster() ?? ''),
      (clusterId: string) => ({ clusterId }), 'identity answers'),
  };
}

/** Answers `callback` with the refusal when the caller may not proceed; true when it did. */
function refused(context: RaftServiceContext, metadata: Metadata, callback: Reply): boolean {
  const denied = context.refusal(metadata);
  if (denied !== null) callback(toServiceError(denied));
  return denied !== null;
}

/** Checks the caller and decodes the request; null when it already answered an error. */
function admit(context: RaftServiceContext, call: UnaryCall, kind: UnaryRaftKind, callback: Reply): RaftMessage | null {
  if (refused(context, call.metadata, callback)) return null;
  try {
    return raftMessageFromProto(kind, call.request);
  } catch (error) {
    callback(toServiceError(error));
    return null;
  }
}

/** A unary Raft RPC whose request and answer are of known kinds. */
function unaryRpc(
  context: RaftServiceContext,
  rpc: string,
  kind: UnaryRaftKind,
  replyKinds: readonly RaftMessage['type'][],
  check: (request: RaftMessage) => boolean,
) {
  return (call: UnaryCall, callback: Reply): void => {
    const request = admit(context, call, kind, callback);
    if (request === null) return;
    if (!check(request)) {
      callback({ code: status.INVALID_ARGUMENT, details: `${rpc}: inconsistent request` });
      return;
    }
    context.options.handler(request)
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
}

/** Steps a request whose answer may be of any kind (or none), replying with an envelope. */
function answerWithEnvelope(handler: RaftRequestHandler, request: RaftMessage, callback: Reply): void {
  handler(request)
    .then(envelopeToProto)
    .then(
      (proto) => callback(null, proto),
      (error: unknown) => callback(toServiceError(error)),
    );
}

/** InstallSnapshot: a client stream of chunks, assembled, then stepped as one message. */
function installSnapshotRpc(context: RaftServiceContext) {
  return (call: ServerReadableStream<object, object>, callback: Reply): void => {
    if (refused(context, call.metadata, callback)) return;
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
      answerWithEnvelope(context.options.handler, request, callback);
    });
  };
}

/** TimeoutNow: stepped like any request; its answer (usually none) in an envelope. */
function timeoutNowRpc(context: RaftServiceContext) {
  return (call: UnaryCall, callback: Reply): void => {
    const request = admit(context, call, 'timeoutNow', callback);
    if (request !== null) answerWithEnvelope(context.options.handler, request, callback);
  };
}

/** ForwardSql: statements a follower passes on with its caller's identity, one outcome each. */
function forwardSqlRpc(context: RaftServiceContext) {
  return (call: UnaryCall, callback: Reply): void => {
    if (refused(context, call.metadata, callback)) return;
    const forward = context.options.forwardSql;
    if (forward === undefined) {
      const details = 'forwarding is not configured on this node';
      callback({ code: status.UNIMPLEMENTED, details });
      return;
    }
    let statements: string[];
    let caller: CallContext;
    try {
      ({ statements, caller } = forwardedStatements(call));
    } catch (error) {
      callback(toServiceError(error));
      return;
    }
    forward(statements, caller)
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
}

/** A ForwardSqlRequest's statements and the original caller's token and user. */
function forwardedStatements(call: UnaryCall): { readonly statements: string[]; readonly caller: CallContext } {
  const request = asObject(call.request, 'ForwardSqlRequest');
  const statements = readArray(request, 'statements').map((text) => String(text));
  const user = readString(request, 'user');
  const caller = {
    token: readBool(request, 'hasToken') ? readString(request, 'token') : null,
    user: user === '' ? null : user,
    peer: call.getPeer(),
  };
  return { statements, caller };
}

/** A unary peer RPC answered by an optional node handler (UNIMPLEMENTED without one). */
function peerUnaryRpc<T>(
  context: RaftServiceContext,
  handler: ((request: unknown) => Promise<T>) | undefined,
  toProto: (answer: T) => object,
  what: string,
) {
  return (call: UnaryCall, callback: Reply): void => {
    const denied = context.refusal(call.metadata);
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
}

/** Stream: a peer's long-lived stream of Raft messages to this node (answers go on ours). */
function streamRpc(context: RaftServiceContext) {
  const { options, localCluster } = context;
  return (call: ServerReadableStream<object, object>, callback: Reply): void => {
    if (refused(context, call.metadata, callback)) return;
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
      assert(Buffer.isBuffer(envelope), 'RaftService.Stream hands its messages over as bytes');
      // This node may have learned its cluster id after the stream opened.
      const mismatch = clusterMismatch(call.metadata, localCluster());
      if (mismatch !== null) {
        finish({ error: mismatch });
        return;
      }
      let message: RaftMessage | null;
      try {
        message = decodeEnvelope(envelope);
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
}
