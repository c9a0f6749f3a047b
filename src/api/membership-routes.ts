import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isChronosError } from '../lib/index.js';
import type { TokenAuth } from '../auth/index.js';
import { sendUnauthenticated } from './http-refusals.js';

/** An operator's membership change, as the node takes it (the shape of raft's MemberChange,
 * restated because api/ imports only lib/: docs/architecture.md). */
export type MemberChangeRequest =
  | { readonly action: 'add'; readonly id: string; readonly address: string }
  | { readonly action: 'remove'; readonly id: string };

/** The members after a change. */
export interface MembersAnswer {
  readonly voters: readonly string[];
  readonly learners: readonly string[];
  readonly addresses: Readonly<Record<string, string>>;
}

/** Paths `chronos admin add-node` / `remove-node` call (bodies `{"id","address"}` / `{"id"}`). */
export const ADD_NODE_PATH = '/cluster/add-node';
export const REMOVE_NODE_PATH = '/cluster/remove-node';

/** HTTP status for a failed change: the caller's mistake, auth, or the cluster's state. */
function statusOf(error: unknown): number {
  if (!isChronosError(error)) return 500;
  switch (error.code) {
    case 'INVALID_ARGUMENT':
      return 400;
    case 'UNAUTHENTICATED':
      return 401;
    case 'PERMISSION_DENIED':
      return 403;
    default:
      return 503;
  }
}

function parseChange(action: 'add' | 'remove', body: unknown): MemberChangeRequest | string {
  if (typeof body !== 'object' || body === null) return 'the body must be a JSON object';
  const { id, address } = body as Record<string, unknown>;
  if (typeof id !== 'string' || id === '') return 'missing "id" (a node id)';
  if (action === 'remove') return { action, id };
  if (typeof address !== 'string' || !/^.+:\d{1,5}$/.test(address)) {
    return 'missing "address" (the new node\'s gRPC HOST:PORT)';
  }
  return { action, id, address };
}

/**
 * POST /cluster/add-node and /cluster/remove-node: any member takes them and the change goes
 * through the leader's log. Admin token required when tokens are configured.
 */
export function registerMembershipRoutes(
  app: FastifyInstance,
  auth: TokenAuth,
  change: ((request: MemberChangeRequest) => Promise<MembersAnswer>) | undefined,
): void {
  // Checked before the body is read: without the admin token nothing tells what the node makes of it.
  const requireAdmin = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const decision = auth.check(request.headers.authorization);
    if (!decision.ok) await sendUnauthenticated(reply, decision.reason, 'admin');
    else if (decision.level !== 'admin' && decision.level !== 'open') {
      await reply.code(403).send({ error: 'permission denied: membership changes need the admin token' });
    }
  };
  const handle = (action: 'add' | 'remove') =>
    async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      if (change === undefined) {
        return reply.code(503).send({ error: 'membership changes are not available on this server' });
      }
      const parsed = parseChange(action, request.body);
      if (typeof parsed === 'string') return reply.code(400).send({ error: parsed });
      try {
        const members = await change(parsed);
        return await reply.send({ status: 'ok', ...members });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return reply.code(statusOf(error)).send({ error: message });
      }
    };
  app.post(ADD_NODE_PATH, { onRequest: requireAdmin }, handle('add'));
  app.post(REMOVE_NODE_PATH, { onRequest: requireAdmin }, handle('remove'));
}
