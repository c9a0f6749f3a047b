import type { RaftMessage } from '../raft/index.js';

type ReplyKind = 'voteResponse' | 'appendResponse' | 'readIndexResponse';

interface PendingReply {
  readonly from: string;
  readonly kind: ReplyKind | null;
  /** ReadIndex answers come after a heartbeat round, not in the next Ready: matched by id. */
  readonly readRequestId: number | null;
  /** The generation of the Ready that will hold the core's answer to this request. */
  readonly generation: number;
  readonly receivedAtMs: number;
  readonly resolve: (reply: RaftMessage | null) => void;
}

/** The response kind the core answers a request with; null when the request has none. */
export function replyKindOf(request: RaftMessage): ReplyKind | null {
  switch (request.type) {
    case 'vote':
      return 'voteResponse';
    case 'append':
    case 'snapshot':
      return 'appendResponse';
    case 'readIndex':
      return 'readIndexResponse';
    case 'timeoutNow':
    case 'voteResponse':
    case 'appendResponse':
    case 'readIndexResponse':
      return null;
  }
}

/**
 * Pairs requests that arrived as RPCs with the responses the core emits for them. The core is
 * message-based; gRPC is request/reply. A request stepped into the core is answered in the very
 * next Ready; whatever that Ready does not answer resolves as "no reply", so no RPC hangs.
 * Responses are self-contained (term, match index), so answering the right peer with the right
 * kind is all that matters, not which of two in-flight RPCs carries it.
 */
export class InboundReplies {
  readonly #pending: PendingReply[] = [];

  /** Registers a request stepped into the core before the Ready of `generation` is taken. */
  expect(request: RaftMessage, generation: number, receivedAtMs: number, resolve: (reply: RaftMessage | null) => void): void {
    const readRequestId = request.type === 'readIndex' ? request.requestId : null;
    this.#pending.push({
      from: request.from,
      kind: replyKindOf(request),
      readRequestId,
      generation,
      receivedAtMs,
      resolve,
    });
  }

  /** Hands `message` to a waiting RPC if it answers one; false = it must be sent as a request. */
  tryReply(message: RaftMessage): boolean {
    const readRequestId = message.type === 'readIndexResponse' ? message.requestId : null;
    const index = this.#pending.findIndex(
      (p) => p.from === message.to && p.kind === message.type && p.readRequestId === readRequestId,
    );
    if (index < 0) return false;
    const [pending] = this.#pending.splice(index, 1);
    pending?.resolve(message);
    return true;
  }

  /**
   * Resolves every request whose Ready has been handled without an answer. ReadIndex requests
   * wait for their answer; the caller's RPC deadline bounds them, and `expireReads` drops them.
   */
  settleThrough(generation: number): void {
    for (let i = this.#pending.length - 1; i >= 0; i--) {
      const pending = this.#pending[i];
      if (pending !== undefined && pending.readRequestId === null && pending.generation <= generation) {
        this.#pending.splice(i, 1);
        pending.resolve(null);
      }
    }
  }

  /** Answers ReadIndex requests received before `beforeMs` with "no reply" (bounds memory). */
  expireReads(beforeMs: number): void {
    for (let i = this.#pending.length - 1; i >= 0; i--) {
      const pending = this.#pending[i];
      if (pending !== undefined && pending.readRequestId !== null && pending.receivedAtMs < beforeMs) {
        this.#pending.splice(i, 1);
        pending.resolve(null);
      }
    }
  }

  /** Answers every waiting RPC with "no reply" (shutdown). */
  settleAll(): void {
    for (const pending of this.#pending.splice(0)) pending.resolve(null);
  }
}
