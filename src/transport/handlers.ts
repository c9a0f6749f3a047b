import type { Cancellation } from '../lib/index.js';
import type { RaftMessage, MemberChange, MembersView } from '../raft/index.js';
import type { StatementResult } from '../sql/index.js';

/**
 * Who is calling: the bearer token presented, the verified user, the remote address. Client
 * services (api/grpc) build it per call; ForwardSql carries it from a follower to the leader.
 */
export interface CallContext {
  /** The bare token of `authorization: Bearer <token>`, or null when none was sent. */
  readonly token: string | null;
  /**
   * For a direct call: the subject CN of the verified client certificate (mTLS), else null.
   * For a forwarded call: the identity the forwarding node established for its client.
   */
  readonly user: string | null;
  /** The remote address as gRPC reports it (`ipv4:127.0.0.1:53122`). */
  readonly peer: string;
  /** Aborted when the client cancelled the call, went away, or its deadline passed. */
  readonly signal?: Cancellation;
}

/** Answers one Raft request; null when the request has no reply (e.g. TimeoutNow). */
export type RaftRequestHandler = (request: RaftMessage) => Promise<RaftMessage | null>;

/** Takes one message that arrived on a peer's Raft stream (answers go out on our own stream). */
export type RaftStreamHandler = (message: RaftMessage) => void;

/** The outcome of one statement of a forwarded batch. */
export type StatementOutcome =
  | { readonly ok: true; readonly result: StatementResult }
  | { readonly ok: false; readonly error: unknown };

/**
 * Runs statements a follower forwarded, in order, stopping after the first failure (which is
 * the last outcome). The context carries the original caller's token and user.
 */
export type ForwardSqlHandler = (
  statements: readonly string[],
  context: CallContext,
) => Promise<readonly StatementOutcome[]>;

/** Proposes a command a follower passed on; answers its encoded outcome (ChronosError on failure). */
export type ForwardCommandHandler = (command: Uint8Array) => Promise<Uint8Array>;

/** Makes a membership change on the leader (or passes it on); throws ChronosError. */
export type MembershipHandler = (change: MemberChange) => Promise<MembersView>;
